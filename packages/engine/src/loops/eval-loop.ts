/**
 * `EvalLoop`: what `ValLoop` and `TestLoop` share, as MMEngine's (mmdet-semantics §3.4): one pass over a
 * dataloader with the model in eval mode, each batch's predictions to the evaluator, its metrics to the
 * phase's `after*Epoch` hook. The two differ only in the hooks they call and the config keys they read.
 */
import { ConfigError } from '@detlab/core';
import type { Runner } from '../runner/runner.js';
import type { Dataloader } from '../runner/dataloader.js';
import type { Evaluator } from '../runner/evaluator.js';
import type { LoopDeps, Loop } from './loop-deps.js';
import { inTensorScope } from './tensor-scope.js';

/** The hook points of each evaluation phase, in the order a pass calls them. */
const PHASE_HOOKS = {
  val: { before: 'beforeVal', beforeEpoch: 'beforeValEpoch', beforeIter: 'beforeValIter', afterIter: 'afterValIter', afterEpoch: 'afterValEpoch', after: 'afterVal' },
  test: { before: 'beforeTest', beforeEpoch: 'beforeTestEpoch', beforeIter: 'beforeTestIter', afterIter: 'afterTestIter', afterEpoch: 'afterTestEpoch', after: 'afterTest' },
} as const;

/** One evaluation pass for `phase`; subclasses only register it under a name. */
export abstract class EvalLoop implements Loop {
  readonly runner: Runner;
  readonly dataloader: Dataloader;
  readonly evaluator: Evaluator;
  private readonly hooks: (typeof PHASE_HOOKS)['val' | 'test'];

  protected constructor(phase: 'val' | 'test', deps: LoopDeps) {
    this.runner = deps.runner;
    this.dataloader = deps.dataloader;
    this.evaluator = requireEvaluator(deps, phase);
    this.evaluator.datasetMeta = deps.dataloader.dataset?.metainfo;
    this.hooks = PHASE_HOOKS[phase];
  }

  /** One pass over the dataloader; returns its metrics. */
  async run(): Promise<Record<string, number>> {
    await this.runner.callHook(this.hooks.before);
    await this.runner.callHook(this.hooks.beforeEpoch);
    this.runner.model.eval();
    let batchIdx = 0;
    let samples = 0;
    for await (const batch of this.dataloader as AsyncIterable<unknown>) {
      samples += await this.runIter(batchIdx++, batch);
    }
    const metrics = await this.evaluator.evaluate(this.dataloader.dataset?.length ?? samples);
    await this.runner.callHook(this.hooks.afterEpoch, metrics);
    await this.runner.callHook(this.hooks.after);
    return metrics;
  }

  /** Predicts one batch and hands it to the evaluator; returns its number of samples. */
  private runIter(batchIdx: number, batch: unknown): Promise<number> {
    return inTensorScope(async () => {
      await this.runner.callHook(this.hooks.beforeIter, batchIdx, batch);
      const outputs = await this.runner.model.predict(batch);
      await this.evaluator.process(batch, outputs);
      await this.runner.callHook(this.hooks.afterIter, batchIdx, batch, outputs);
      return outputs.length;
    });
  }
}

/** The loop's evaluator, or an error naming the config key that should have given one. */
function requireEvaluator(deps: LoopDeps, phase: 'val' | 'test'): Evaluator {
  if (!deps.evaluator) {
    throw new ConfigError(`${phase}_evaluator: required when ${phase}_dataloader is set, got nothing`, {
      configPath: `${phase}_evaluator`,
      hint: `Add ${phase}_evaluator (e.g. { type: 'CocoMetric', ... }), or set ${phase}_dataloader to null.`,
    });
  }
  return deps.evaluator;
}
