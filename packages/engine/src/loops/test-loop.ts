/**
 * `TestLoop`: one pass over the test dataloader with the model in eval mode, as MMEngine's; `Runner.test()`
 * runs it. Same steps as `ValLoop`, with the test hooks and the test evaluator.
 *
 * @example
 * test_cfg: { type: 'TestLoop' }
 */
import { LOOPS } from '@detlab/core';
import { z } from 'zod';
import type { Runner } from '../runner/runner.js';
import type { Dataloader } from '../runner/dataloader.js';
import type { Evaluator } from '../runner/evaluator.js';
import type { LoopDeps, Loop } from './loop-deps.js';
import { inTensorScope } from './tensor-scope.js';
import { requireEvaluator } from './val-loop.js';

/** Options of `TestLoop` (`test_cfg`): none yet besides `type`. */
export const testLoopSchema = z.strictObject({});

/** Testing; see the file comment. */
@LOOPS.register({ name: 'TestLoop', schema: testLoopSchema, description: 'One pass over the test dataloader with metrics (MMEngine).' })
export class TestLoop implements Loop {
  readonly runner: Runner;
  readonly dataloader: Dataloader;
  readonly evaluator: Evaluator;

  constructor(_options: z.input<typeof testLoopSchema>, deps: LoopDeps) {
    this.runner = deps.runner;
    this.dataloader = deps.dataloader;
    this.evaluator = requireEvaluator(deps, 'test');
    this.evaluator.datasetMeta = deps.dataloader.dataset?.metainfo;
  }

  /** One test epoch; returns its metrics. */
  async run(): Promise<Record<string, number>> {
    await this.runner.callHook('beforeTest');
    await this.runner.callHook('beforeTestEpoch');
    this.runner.model.eval();
    let batchIdx = 0;
    let samples = 0;
    for await (const batch of this.dataloader as AsyncIterable<unknown>) {
      samples += await this.runIter(batchIdx++, batch);
    }
    const metrics = await this.evaluator.evaluate(this.dataloader.dataset?.length ?? samples);
    await this.runner.callHook('afterTestEpoch', metrics);
    await this.runner.callHook('afterTest');
    return metrics;
  }

  /** Predicts one batch and hands it to the evaluator; returns its number of samples. */
  private runIter(batchIdx: number, batch: unknown): Promise<number> {
    return inTensorScope(async () => {
      await this.runner.callHook('beforeTestIter', batchIdx, batch);
      const outputs = await this.runner.model.predict(batch);
      await this.evaluator.process(batch, outputs);
      await this.runner.callHook('afterTestIter', batchIdx, batch, outputs);
      return outputs.length;
    });
  }
}
