/**
 * `ValLoop`: one pass over the val dataloader with the model in eval mode, as MMEngine's (mmdet-semantics §3.4).
 *
 * Each batch's predictions go to the evaluator; its metrics go to `afterValEpoch`, where RuntimeInfoHook
 * records them, LoggerHook prints them and CheckpointHook keeps the best. The train loop calls it every
 * `val_interval`; `Runner.val()` runs it alone.
 *
 * @example
 * val_cfg: { type: 'ValLoop' }
 */
import { ConfigError, LOOPS } from '@detlab/core';
import { z } from 'zod';
import type { Runner } from '../runner/runner.js';
import type { Dataloader } from '../runner/dataloader.js';
import type { Evaluator } from '../runner/evaluator.js';
import type { LoopDeps, Loop } from './loop-deps.js';
import { inTensorScope } from './tensor-scope.js';

/** Options of `ValLoop` (`val_cfg`): none yet besides `type`. */
export const valLoopSchema = z.strictObject({});

/** Validation; see the file comment. */
@LOOPS.register({ name: 'ValLoop', schema: valLoopSchema, description: 'One pass over the val dataloader with metrics (MMEngine).' })
export class ValLoop implements Loop {
  readonly runner: Runner;
  readonly dataloader: Dataloader;
  readonly evaluator: Evaluator;

  constructor(_options: z.input<typeof valLoopSchema>, deps: LoopDeps) {
    this.runner = deps.runner;
    this.dataloader = deps.dataloader;
    this.evaluator = requireEvaluator(deps, 'val');
    this.evaluator.datasetMeta = deps.dataloader.dataset?.metainfo;
  }

  /** One validation epoch; returns its metrics. */
  async run(): Promise<Record<string, number>> {
    await this.runner.callHook('beforeVal');
    await this.runner.callHook('beforeValEpoch');
    this.runner.model.eval();
    let batchIdx = 0;
    let samples = 0;
    for await (const batch of this.dataloader as AsyncIterable<unknown>) {
      samples += await this.runIter(batchIdx++, batch);
    }
    const metrics = await this.evaluator.evaluate(this.dataloader.dataset?.length ?? samples);
    await this.runner.callHook('afterValEpoch', metrics);
    await this.runner.callHook('afterVal');
    return metrics;
  }

  /** Predicts one batch and hands it to the evaluator; returns its number of samples. */
  private runIter(batchIdx: number, batch: unknown): Promise<number> {
    return inTensorScope(async () => {
      await this.runner.callHook('beforeValIter', batchIdx, batch);
      const outputs = await this.runner.model.predict(batch);
      await this.evaluator.process(batch, outputs);
      await this.runner.callHook('afterValIter', batchIdx, batch, outputs);
      return outputs.length;
    });
  }
}

/** The loop's evaluator, or an error naming the config key that should have given one. */
export function requireEvaluator(deps: LoopDeps, phase: 'val' | 'test'): Evaluator {
  if (!deps.evaluator) {
    throw new ConfigError(`${phase}_evaluator: required when ${phase}_dataloader is set, got nothing`, {
      configPath: `${phase}_evaluator`,
      hint: `Add ${phase}_evaluator (e.g. { type: 'CocoMetric', ... }), or set ${phase}_dataloader to null.`,
    });
  }
  return deps.evaluator;
}
