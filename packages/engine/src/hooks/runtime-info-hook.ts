/**
 * `RuntimeInfoHook`: keeps the message hub current, as MMEngine's. Runs first (VERY_HIGH) so every later hook
 * reads this iteration's values.
 *
 * Runtime info: `epoch`, `iter`, `max_epochs`, `max_iters`, `dataset_meta`, `experiment_name`, `seed`.
 * Scalars: `train/lr` (and `train/base_lr` with several param groups) before each iteration, `train/<loss>`
 * after it, `val/<metric>` and `test/<metric>` after each val or test epoch.
 *
 * @example
 * default_hooks: { runtime_info: { type: 'RuntimeInfoHook' } } // a default hook: no need to write it
 */
import { HOOKS } from '@detlab/core';
import { z } from 'zod';
import { Hook, type Metrics } from './hook.js';
import { prioritySchema, type Priority } from './priority.js';
import type { Runner } from '../runner/runner.js';

/** Options of `RuntimeInfoHook`: none besides `priority`. */
export const runtimeInfoHookSchema = z.strictObject({ priority: prioritySchema.optional() });

/** Writes runtime info and scalars to the message hub; see the file comment. */
@HOOKS.register({ name: 'RuntimeInfoHook', schema: runtimeInfoHookSchema, description: 'Keeps the message hub current (MMEngine).' })
export class RuntimeInfoHook extends Hook {
  static override readonly defaultPriority: Priority = 'VERY_HIGH';

  override beforeRun(runner: Runner): void {
    runner.messageHub.updateInfo('experiment_name', runner.experimentName);
    runner.messageHub.updateInfo('seed', runner.seed);
  }

  override beforeTrain(runner: Runner): void {
    const hub = runner.messageHub;
    hub.updateInfo('epoch', runner.epoch);
    hub.updateInfo('iter', runner.iter);
    hub.updateInfo('max_epochs', runner.maxEpochs);
    hub.updateInfo('max_iters', runner.maxIters);
    const meta = runner.trainDataloader?.dataset?.metainfo;
    if (meta) hub.updateInfo('dataset_meta', meta);
  }

  override beforeTrainEpoch(runner: Runner): void {
    runner.messageHub.updateInfo('epoch', runner.epoch);
  }

  override beforeTrainIter(runner: Runner): void {
    const hub = runner.messageHub;
    hub.updateInfo('iter', runner.iter);
    const lrs = runner.optimWrapper?.getLr() ?? {};
    for (const key in lrs) hub.updateScalar(`train/${key}`, lrs[key][0]);
  }

  override afterTrainIter(runner: Runner, _batchIdx: number, _dataBatch?: unknown, outputs?: Record<string, number>): void {
    if (!outputs) return;
    for (const key in outputs) runner.messageHub.updateScalar(`train/${key}`, outputs[key]);
  }

  override afterValEpoch(runner: Runner, metrics?: Metrics): void {
    for (const [key, value] of Object.entries(metrics ?? {})) runner.messageHub.updateScalar(`val/${key}`, value);
  }

  override afterTestEpoch(runner: Runner, metrics?: Metrics): void {
    for (const [key, value] of Object.entries(metrics ?? {})) runner.messageHub.updateScalar(`test/${key}`, value);
  }
}
