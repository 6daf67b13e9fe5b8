/**
 * What the runner needs of a model: a `Module` (weights, train/eval) with mmdet's `loss` and `predict` modes.
 *
 * `loss` runs inside the optimizer's gradient function, so it must be synchronous and return scalars;
 * keys containing `loss` are summed into the total that is minimised (MMEngine's `parse_losses`), other keys
 * are only logged. `predict` may be async (detectors read scores back from the backend).
 *
 * @example
 * class Toy extends Module implements TrainableModel {
 *   loss(batch: ToyBatch) { return { loss_mse: tf.losses.meanSquaredError(batch.y, this.forward(batch.x)) as tf.Scalar }; }
 *   predict(batch: ToyBatch) { return tf.tidy(() => [...this.forward(batch.x).dataSync()]); }
 * }
 */
import { ConfigError, describeValue } from '@detlab/core';
import { Module } from '@detlab/tensor';
import type * as tf from '@tensorflow/tfjs-core';

/** A model the runner can train, validate and test; see the file comment. */
export interface TrainableModel extends Module {
  /** Named losses of a training batch (scalars, created inside the caller's gradient scope). */
  loss(batch: unknown): Record<string, tf.Scalar>;
  /** One prediction per sample of `batch`, in the form the evaluator's metrics read. */
  predict(batch: unknown): readonly unknown[] | Promise<readonly unknown[]>;
  /** Applies the model's `init_cfg`s; tensor's `initWeights(model)` is used when absent. */
  initWeights?(): Promise<unknown>;
}

/** Throws a `ConfigError` at `path` unless `model` is a `Module` with `loss` and `predict` methods. */
export function assertTrainableModel(model: unknown, path = 'model'): asserts model is TrainableModel {
  const missing = ['loss', 'predict'].filter((m) => typeof (model as Record<string, unknown> | null)?.[m] !== 'function');
  if (!(model instanceof Module) || missing.length > 0) {
    const what = model instanceof Module ? `a ${model.constructor.name} without ${missing.join(' and ')}` : describeValue(model);
    throw new ConfigError(`${path}: expected a Module with loss(batch) and predict(batch) methods, got ${what}`, {
      configPath: path,
      hint: 'Register a model class (extends Module) with loss and predict in MODELS.',
    });
  }
}
