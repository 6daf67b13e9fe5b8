/**
 * What the runner needs of the optim wrapper and the parameter schedulers (built in `optim/`).
 *
 * Small structural interfaces, so loops and hooks depend on behaviour rather than on classes: any wrapper
 * registered in OPTIM_WRAPPERS that behaves like `OptimWrapper` can drive a run.
 */
import type { Logger } from '@detlab/core';
import type { Module } from '@detlab/tensor';
import type * as tf from '@tensorflow/tfjs-core';

/** The optim wrapper as the runner drives it (`optim/optimizer/optim-wrapper.ts` is the implementation). */
export interface OptimWrapperLike {
  /**
   * One training step: the losses of `lossFn` under the gradient tape, the sum of the keys containing `loss`
   * minimised (a step when an update is due). Returns every loss as a number (`loss` is the total) and the
   * gradient norm when clipping by norm.
   */
  updateParams(lossFn: () => Record<string, tf.Scalar>): { losses: Record<string, number>; gradNorm?: number };
  /** The variables the optimizer updates now; needed, with `updateParamsWithGrads`, for data-parallel training. */
  trainableVariables?(): tf.Variable[];
  /**
   * `updateParams` with gradients (by variable name, of the unscaled total loss) computed by data-parallel
   * replicas; takes ownership of them.
   */
  updateParamsWithGrads?(grads: tf.NamedTensorMap, losses: Record<string, number>): { losses: Record<string, number>; gradNorm?: number };
  /** Learning rates by group: `{ lr: [0.01] }`, plus `base_lr` with several groups. */
  getLr(): Record<string, number[]>;
  stateDict(): unknown;
  loadStateDict(state: never): unknown;
  /** Where counting starts (a resumed iteration) and ends, for gradient accumulation. */
  initializeCountStatus?(model: Module | undefined, initCounts: number, maxCounts: number, logger?: Logger): void;
  /** Frees gradients kept between iterations and the optimizer's state. */
  dispose?(): void;
}

/** A parameter scheduler as ParamSchedulerHook steps it. */
export interface ParamSchedulerLike {
  /** Whether it steps once per epoch (true) or once per iteration. */
  readonly byEpoch: boolean;
  step(): void;
  stateDict(): unknown;
  loadStateDict(state: never): unknown;
}
