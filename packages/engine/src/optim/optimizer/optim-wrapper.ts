/**
 * `OptimWrapper`: one call per training iteration that turns a loss into a parameter update; mirrors MMEngine's
 * `OptimWrapper` (`mmengine/optim/optimizer/optimizer_wrapper.py`).
 *
 * `updateParams(lossFn)` scales the loss by the accumulation factor, computes gradients of the trainable
 * parameters with `tf.variableGrads` (frozen ones get none and stay untouched), adds them to the gradients kept
 * since the last update, and every `accumulative_counts` calls (or at `max_counts`) clips, steps and drops them.
 * Gradients kept between calls are `tf.keep`-ed, so a runner may wrap each iteration in its own `tf.tidy`.
 * With several param groups a pseudo-group tracks the base learning rate (`base_lr` in `getLr`), as MMEngine.
 *
 * @example
 * optim_wrapper: { type: 'OptimWrapper', optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 },
 *   clip_grad: { max_norm: 35, norm_type: 2 }, accumulative_counts: 1 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, OPTIM_WRAPPERS, describeValue, isPlainObject, parseOptions, type Logger } from '@detlab/core';
import type { Module } from '@detlab/tensor';
import { z } from 'zod';
import { clipGradNorm, clipGradSchema, clipGradValue } from './clip-grad.js';
import { hasBatchNorm } from './module-kinds.js';
import { Optimizer, type LoadOptimizerReport, type OptimizerState } from './optimizer.js';
import { cloneHyper, hyperNumber, type ParamGroup, type ParamGroupsOwner } from './param-group.js';
import { parseLosses, readScalars } from './parse-losses.js';

/**
 * Options of `OptimWrapper`. `optimizer` is the built optimizer (its config while a config is validated).
 *
 * @example
 * optimWrapperSchema.parse({ optimizer: sgd, clip_grad: { max_norm: 10 }, accumulative_counts: 2 });
 */
export const optimWrapperSchema = z.strictObject({
  optimizer: z.custom<Optimizer>((v) => v instanceof Optimizer || isPlainObject(v), 'expected an optimizer config such as { type: \'SGD\', lr: 0.01 }'),
  /** Gradients of this many iterations are summed (each loss divided by it) before one update. */
  accumulative_counts: z.int().positive().default(1),
  clip_grad: clipGradSchema.nullable().default(null),
});

/**
 * Options of `OptimWrapper`, keys as in configs.
 *
 * @example
 * const options: OptimWrapperOptions = { optimizer: new SGD({ params, lr: 0.01 }), accumulative_counts: 4 };
 */
export type OptimWrapperOptions = z.input<typeof optimWrapperSchema>;

/**
 * What a loss function returns: the loss, or named losses of which those whose key contains 'loss' are summed
 * (MMEngine's `parse_losses`); other entries (an accuracy) are only reported.
 *
 * @example
 * const lossFn: LossFn = () => ({ loss_cls: cls(model.forward(x)), loss_bbox: box(model.forward(x)) });
 */
export type LossFn = () => tf.Scalar | Record<string, tf.Scalar>;

/**
 * What `updateParams` reports, as numbers.
 *
 * @example
 * const { losses, gradNorm, updated } = optimWrapper.updateParams(lossFn); // losses.loss: the total
 */
export interface UpdateResult {
  /** Unscaled values by name; `loss` is the total the gradients came from. */
  losses: Record<string, number>;
  /** `train/grad_norm`: total norm before clipping, when clipping by norm and parameters were updated. */
  gradNorm?: number;
  /** Whether the parameters were updated (false while gradients accumulate). */
  updated: boolean;
}

/**
 * The optimizer wrapper; see the file comment.
 *
 * @example
 * optim_wrapper: { optimizer: { type: 'AdamW', lr: 1e-4, weight_decay: 0.05 }, clip_grad: { max_norm: 0.1 } }
 */
@OPTIM_WRAPPERS.register({ name: 'OptimWrapper', schema: optimWrapperSchema, description: 'Gradient accumulation, clipping and stepping.' })
export class OptimWrapper implements ParamGroupsOwner {
  readonly optimizer: Optimizer;
  readonly options: Omit<z.output<typeof optimWrapperSchema>, 'optimizer'>;
  /** Tracks the base learning rate when there are several groups; `undefined` with one (MMEngine's rule). */
  readonly baseParamSettings: ParamGroup | undefined;
  private readonly grads = new Map<string, tf.Tensor>();
  private readonly paramNameOf: Map<string, string>;
  private innerCount = 0;
  private maxCounts = -1;
  private remainderCounts = -1;
  private disposed = false;

  constructor(options: OptimWrapperOptions) {
    const { optimizer, ...rest } = parseOptions(optimWrapperSchema, options, 'OptimWrapper') as z.output<typeof optimWrapperSchema>;
    if (!(optimizer instanceof Optimizer)) {
      throw new DetlabError(`OptimWrapper: expected a built optimizer, got ${describeValue(optimizer)}`, {
        hint: 'Build it with buildOptimWrapper(model, cfg.optim_wrapper), which builds the optimizer first.',
      });
    }
    this.optimizer = optimizer;
    this.options = rest;
    const groups = optimizer.paramGroups;
    this.baseParamSettings = groups.length > 1 ? { params: [], hyper: cloneHyper(optimizer.defaults) } : undefined;
    this.paramNameOf = new Map(groups.flatMap((g) => g.params.map((p): [string, string] => [p.variable.name, p.name])));
  }

  /** The optimizer's groups, plus the base-lr pseudo-group when there is one: what schedulers drive. */
  get paramGroups(): ParamGroup[] {
    return this.baseParamSettings ? [...this.optimizer.paramGroups, this.baseParamSettings] : [...this.optimizer.paramGroups];
  }

  /** Calls so far (MMEngine's `inner_count`), an update every `accumulative_counts`. */
  get count(): number {
    return this.innerCount;
  }

  /**
   * Sets where counting starts (a resumed iteration) and the total number of calls, so the last incomplete
   * accumulation window still updates, with its losses divided by its own length. The runner calls it before
   * training, with the model for MMEngine's batch-norm warning.
   */
  initializeCountStatus(model: Module | undefined, initCounts: number, maxCounts: number, logger?: Logger): void {
    const acc = this.options.accumulative_counts;
    this.innerCount = initCounts;
    this.maxCounts = maxCounts;
    if (initCounts % acc !== 0) {
      logger?.warn(`[OptimWrapper] resumed at count ${initCounts}, not a multiple of accumulative_counts ${acc}: the gradients of the interrupted window are lost`);
    }
    if (model && acc > 1 && hasBatchNorm(model)) {
      logger?.warn('[OptimWrapper] gradient accumulation may slightly decrease performance because the model has BatchNorm layers');
    }
    this.remainderCounts = maxCounts % acc;
  }

  /** One training iteration: scaled backward, then clip + step + zeroGrad when an update is due. */
  updateParams(lossFn: LossFn): UpdateResult {
    return this.stepIfDue(this.backward(lossFn, this.lossFactor()));
  }

  /**
   * `updateParams` with gradients computed elsewhere (data-parallel replicas): `grads`, by variable name, are the
   * gradients of the unscaled total loss whose values are `losses`. They are divided by the accumulation factor,
   * added to the kept gradients, and the optimizer steps when an update is due. Takes ownership of `grads`.
   */
  updateParamsWithGrads(grads: tf.NamedTensorMap, losses: Record<string, number>): UpdateResult {
    this.assertUsable('updateParamsWithGrads');
    const factor = this.lossFactor();
    const known: tf.NamedTensorMap = {};
    for (const [varName, grad] of Object.entries(grads)) {
      if (!this.paramNameOf.has(varName)) {
        grad.dispose();
        continue;
      }
      known[varName] = factor === 1 ? grad : tf.tidy(() => tf.div(grad, factor));
      if (factor !== 1) grad.dispose();
    }
    this.accumulate(known);
    this.innerCount += 1;
    return this.stepIfDue(losses);
  }

  /** Clip + step + zeroGrad when an accumulation window is complete; the result of one training iteration. */
  private stepIfDue(losses: Record<string, number>): UpdateResult {
    if (!this.shouldUpdate()) return { losses, updated: false };
    const gradNorm = this.step();
    this.zeroGrad();
    return gradNorm === undefined ? { losses, updated: true } : { losses, gradNorm, updated: true };
  }

  /** The variables `backward` differentiates: the optimizer's parameters whose `requires_grad` is on. */
  trainableVariables(): tf.Variable[] {
    return this.optimizer.trainableParams().map((p) => p.variable);
  }

  /**
   * Adds the gradients of `lossFn() / lossFactor` w.r.t. the trainable parameters to the kept gradients and
   * counts one call; returns the unscaled loss values.
   */
  backward(lossFn: LossFn, lossFactor = 1): Record<string, number> {
    this.assertUsable('backward');
    const params = this.optimizer.trainableParams();
    if (params.length === 0) {
      throw new DetlabError('[OptimWrapper] backward: no trainable parameters (every parameter is frozen)', {
        hint: 'Unfreeze some (frozen_stages, requires_grad) or do not train this model.',
      });
    }
    let named: Array<[string, tf.Scalar]> = [];
    try {
      // The outer tidy frees what tfjs leaves behind when variableGrads throws (the loss it computed).
      const { value, grads } = tf.tidy(() =>
        tf.variableGrads(() => {
          named = parseLosses(lossFn());
          // The named losses leave variableGrads' tidy so they can be read after it; disposed below.
          for (const [, t] of named) tf.keep(t);
          return tf.div(named[0][1], lossFactor);
        }, params.map((p) => p.variable)),
      );
      value.dispose();
      this.accumulate(grads);
      this.innerCount += 1;
      const numbers = readScalars(named.map(([, t]) => t));
      return Object.fromEntries(named.map(([k], i) => [k, numbers[i]]));
    } finally {
      for (const t of new Set(named.map(([, t]) => t))) t.dispose();
    }
  }

  /** Clips the kept gradients if configured, then steps the optimizer; returns the grad norm when clipping by norm. */
  step(): number | undefined {
    this.assertUsable('step');
    const clip = this.options.clip_grad;
    let gradNorm: number | undefined;
    if (clip && this.grads.size > 0) {
      const names = [...this.grads.keys()];
      const before = [...this.grads.values()];
      let after: tf.Tensor[];
      if (clip.type === 'norm') {
        const { grads, totalNorm } = clipGradNorm(before, clip.max_norm as number, clip.norm_type);
        gradNorm = readScalars([totalNorm])[0];
        totalNorm.dispose();
        after = grads;
      } else {
        after = clipGradValue(before, clip.clip_value as number);
      }
      for (const t of before) t.dispose();
      names.forEach((name, i) => this.grads.set(name, tf.keep(after[i])));
    }
    this.optimizer.step(this.grads);
    return gradNorm;
  }

  /** Drops the kept gradients (PyTorch's `zero_grad(set_to_none=True)`). */
  zeroGrad(): void {
    for (const g of this.grads.values()) g.dispose();
    this.grads.clear();
  }

  /** Whether the call just counted completes an accumulation window (or is the last of `max_counts`). */
  shouldUpdate(): boolean {
    return this.innerCount % this.options.accumulative_counts === 0 || this.innerCount === this.maxCounts;
  }

  /** Learning rates by group (`lr`), plus `base_lr` with several groups: log `train/<key>` from element 0. */
  getLr(): Record<string, number[]> {
    const lr = this.optimizer.paramGroups.map((g) => hyperNumber(g.hyper, 'lr'));
    return this.baseParamSettings ? { base_lr: [hyperNumber(this.baseParamSettings.hyper, 'lr')], lr } : { lr };
  }

  /** Momentum by group: SGD's `momentum`, Adam's `betas[0]`, else 0. */
  getMomentum(): { momentum: number[] } {
    return {
      momentum: this.optimizer.paramGroups.map(({ hyper }) =>
        typeof hyper.momentum === 'number' ? hyper.momentum : Array.isArray(hyper.betas) ? (hyper.betas as number[])[0] : 0,
      ),
    };
  }

  /** The optimizer's state (tensors + JSON meta), with the base-lr pseudo-group in `meta.base_param_settings`. */
  stateDict(): OptimizerState {
    const state = this.optimizer.stateDict();
    if (this.baseParamSettings) state.meta.base_param_settings = cloneHyper(this.baseParamSettings.hyper);
    return state;
  }

  /** Restores the optimizer's state and the base-lr pseudo-group. */
  loadStateDict(state: OptimizerState): LoadOptimizerReport {
    const saved = state.meta.base_param_settings;
    const base = this.baseParamSettings;
    if (saved && base) {
      for (const key of Object.keys(base.hyper)) delete base.hyper[key];
      Object.assign(base.hyper, cloneHyper(saved));
    }
    return this.optimizer.loadStateDict(state);
  }

  /** Frees kept gradients and the optimizer's state. */
  dispose(): void {
    if (this.disposed) return;
    this.zeroGrad();
    this.optimizer.dispose();
    this.disposed = true;
  }

  /** MMEngine's `scale_loss` factor: accumulative_counts, or the length of the last incomplete window. */
  private lossFactor(): number {
    const acc = this.options.accumulative_counts;
    if (acc === 1 || this.maxCounts === -1) return acc;
    const factor = this.innerCount < this.maxCounts - this.remainderCounts ? acc : this.remainderCounts;
    if (factor <= 0) {
      throw new DetlabError(`[OptimWrapper] count ${this.innerCount} is past max_counts ${this.maxCounts}`, {
        hint: 'Call initializeCountStatus(model, startIter, maxIters) with the loop\'s counts.',
      });
    }
    return factor;
  }

  private accumulate(named: tf.NamedTensorMap): void {
    for (const [varName, grad] of Object.entries(named)) {
      if (!grad) continue;
      const name = this.paramNameOf.get(varName) as string;
      const previous = this.grads.get(name);
      // Kept: these live across iterations, possibly inside a runner's per-iteration tidy.
      this.grads.set(name, tf.keep(previous ? tf.add(previous, grad) : grad));
      if (previous) {
        previous.dispose();
        grad.dispose();
      }
    }
  }

  private assertUsable(method: string): void {
    if (this.disposed) throw new DetlabError(`[OptimWrapper] ${method}: the optim wrapper was disposed`);
  }
}
