/**
 * A toy conv + BatchNorm model for the data-parallel tests, registered in MODELS (scope `dptest`) from this
 * file, which the worker replicas import (this file registers and does nothing else).
 *
 * conv 3×3 (3 → 4) → BN → ReLU → conv 1×1 (4 → 1) → mean over H, W; loss = mean over the shard of
 * (prediction − target)², so the loss is a per-sample mean: replicas' weighted average is the global mean.
 */
import { MODELS, Registry } from '@detlab/core';
import { BatchNorm2d, Conv2d, Module } from '@detlab/tensor';
import * as tf from '@tensorflow/tfjs-core';

/** `inputs[i]`: an 8·8·3 image (HWC); `targets[i]`: its regression target. */
export interface ToyImageBatch {
  inputs: Float32Array[];
  targets: number[];
}

/** Options of `DPToyConvBN`. */
export interface DPToyConvBNOptions {
  /** Keep the BatchNorm in eval mode in train() (mmdet's norm_eval): no batch statistics. */
  norm_eval?: boolean;
  /** Report an extra non-loss value (accuracy-like) so averaging of logged values is exercised. */
  with_metric?: boolean;
}

const dpModels = new Registry('model', { parent: MODELS, scope: 'dptest' });

/** See the file comment. */
@dpModels.register('DPToyConvBN')
export class DPToyConvBN extends Module {
  readonly conv1 = this.registerModule('conv1', new Conv2d({ in_channels: 3, out_channels: 4, kernel_size: 3, padding: 1 }));
  readonly bn1 = this.registerModule('bn1', new BatchNorm2d({ num_features: 4 }));
  readonly head = this.registerModule('head', new Conv2d({ in_channels: 4, out_channels: 1, kernel_size: 1 }));

  constructor(readonly options: DPToyConvBNOptions = {}) {
    super();
  }

  override train(mode = true): this {
    super.train(mode);
    if (mode && this.options.norm_eval) this.bn1.eval();
    return this;
  }

  /** [N, 8, 8, 3] → [N]. */
  forward(x: tf.Tensor4D): tf.Tensor1D {
    return tf.tidy(() => {
      const h = tf.relu(this.bn1.forward(this.conv1.forward(x))); // [N, 8, 8, 4]
      return tf.mean(this.head.forward(h as tf.Tensor4D), [1, 2, 3]) as tf.Tensor1D; // [N]
    });
  }

  loss(batch: ToyImageBatch): Record<string, tf.Scalar> {
    const n = batch.inputs.length;
    const x = tf.tensor4d(concat(batch.inputs), [n, 8, 8, 3]);
    const y = tf.tensor1d(batch.targets);
    const pred = this.forward(x);
    const losses: Record<string, tf.Scalar> = { loss_mse: tf.mean(tf.square(tf.sub(pred, y))) as tf.Scalar };
    if (this.options.with_metric) losses.mean_pred = tf.mean(pred) as tf.Scalar;
    return losses;
  }

  predict(batch: ToyImageBatch): number[] {
    const x = tf.tensor4d(concat(batch.inputs), [batch.inputs.length, 8, 8, 3]);
    const out = this.forward(x);
    const values = Array.from(out.dataSync());
    tf.dispose([x, out]);
    return values;
  }
}

/** A deterministic batch of `n` images with targets, from `seed`. */
export function toyImageBatch(n: number, seed: number): ToyImageBatch {
  let state = seed + 1;
  const rand = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const inputs = Array.from({ length: n }, () => Float32Array.from({ length: 8 * 8 * 3 }, rand));
  const targets = inputs.map((img) => img.reduce((a, b) => a + b, 0) / img.length + 0.5);
  return { inputs, targets };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
