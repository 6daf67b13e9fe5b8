/**
 * One training iteration, shared by both train loops: the hooks around MMEngine's `train_step`, all inside one
 * tensor scope (see `inTensorScope`).
 *
 * The step itself is mmengine's `BaseModel.train_step`: the optim wrapper computes the model's losses under
 * its gradient tape, sums the keys that contain `loss`, steps, and hands back every loss as a number.
 *
 * Training is synchronous compute between awaits that resolve at once, so without help Node would not run its
 * event loop until the next file write: a SIGTERM would wait for the end of the epoch. After an iteration, when
 * `YIELD_INTERVAL_MS` have passed since the last time, the loop therefore lets the event loop turn once
 * (signals, timers, pending writes), which costs microseconds a few times per second.
 *
 * @example
 * await runTrainIter(runner, batchIdx, batch); // then loop.iter += 1
 */
import { performance } from 'node:perf_hooks';
import { inTensorScope } from './tensor-scope.js';
import type { Runner } from '../runner/runner.js';

/** How often (at most) an iteration yields to the event loop. */
export const YIELD_INTERVAL_MS = 50;

let lastYield = performance.now();

/** Runs `beforeTrainIter`, the train step and `afterTrainIter` for one batch; returns the losses. */
export async function runTrainIter(runner: Runner, batchIdx: number, batch: unknown): Promise<Record<string, number>> {
  const outputs = await inTensorScope(async () => {
    await runner.callHook('beforeTrainIter', batchIdx, batch);
    const losses = await runner.trainStep(batch);
    await runner.callHook('afterTrainIter', batchIdx, batch, losses);
    return losses;
  });
  if (performance.now() - lastYield >= YIELD_INTERVAL_MS) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    lastYield = performance.now();
  }
  return outputs;
}
