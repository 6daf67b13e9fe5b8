/**
 * Batch normalization over N, H, W per channel with PyTorch's semantics; mirrors `nn.BatchNorm2d` (registered
 * as `BatchNorm2d`, aliases `BN`, `BN2d` as in MMCV's norm registry).
 *
 * Train mode normalizes with the batch's biased variance and updates the running statistics with the unbiased
 * one: running = (1 − momentum)·running + momentum·batch. Eval mode uses the running statistics and updates
 * nothing. Buffers `running_mean`, `running_var`, `num_batches_tracked` keep PyTorch's names.
 *
 * @example
 * { type: 'BN', num_features: 64 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { z } from 'zod';
import { Module } from '../module/module.js';
import { batchNormTrain, batchNormTrainOneDnn } from '../ops/batch-norm-train.js';
import { batchStatistics } from '../ops/channel-sums.js';

export const batchNorm2dSchema = z.strictObject({
  num_features: z.int().positive(),
  eps: z.number().positive().default(1e-5),
  momentum: z.number().min(0).max(1).default(0.1),
  affine: z.boolean().default(true),
});

/** Options of `BatchNorm2d`, keys as in configs. */
export type BatchNorm2dOptions = z.input<typeof batchNorm2dSchema>;

@MODELS.register({ name: 'BatchNorm2d', aliases: ['BN', 'BN2d'], schema: batchNorm2dSchema, description: 'Batch norm, PyTorch semantics.' })
export class BatchNorm2d extends Module {
  static override readonly initLayerAliases = ['_BatchNorm', '_NormBase'];
  readonly options: z.output<typeof batchNorm2dSchema>;
  readonly weight: tf.Variable | undefined;
  readonly bias: tf.Variable | undefined;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly numBatchesTracked: tf.Variable;

  constructor(options: BatchNorm2dOptions) {
    super();
    const o = (this.options = batchNorm2dSchema.parse(options));
    this.weight = o.affine ? this.registerParameter('weight', tf.ones([o.num_features])) : undefined;
    this.bias = o.affine ? this.registerParameter('bias', tf.zeros([o.num_features])) : undefined;
    this.runningMean = this.registerBuffer('running_mean', tf.zeros([o.num_features]));
    this.runningVar = this.registerBuffer('running_var', tf.ones([o.num_features]));
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', tf.scalar(0, 'int32'));
  }

  /** [N, H, W, C] → [N, H, W, C]. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      if (this.training) {
        const native = batchNormTrainOneDnn(x, this.options.eps, this.weight as tf.Tensor1D | undefined, this.bias as tf.Tensor1D | undefined);
        if (native !== undefined) {
          this.updateRunningStats(native.mean, native.variance, x.size / x.shape[3]);
          return native.y;
        }
        // The statistics are taken off the tape: batchNormTrain's gradient accounts for them.
        const { mean, variance } = batchStatistics(x);
        this.updateRunningStats(mean, variance, x.size / x.shape[3]);
        return batchNormTrain(x, mean, variance, this.options.eps, this.weight as tf.Tensor1D | undefined, this.bias as tf.Tensor1D | undefined);
      }
      const mean = this.runningMean as tf.Tensor1D;
      const variance = this.runningVar as tf.Tensor1D;
      // y = x·scale + shift with scale = γ/√(var+ε), shift = β − mean·scale: two full-size ops instead of four.
      let scale = tf.rsqrt(tf.add(variance, this.options.eps));
      if (this.weight) scale = tf.mul(scale, this.weight);
      let shift = tf.neg(tf.mul(mean, scale));
      if (this.bias) shift = tf.add(shift, this.bias);
      return tf.add(tf.mul(x, scale), shift);
    });
  }

  private updateRunningStats(mean: tf.Tensor1D, variance: tf.Tensor1D, count: number): void {
    const m = this.options.momentum;
    const bessel = count / Math.max(count - 1, 1); // the unbiased variance, as torch keeps
    if (tf.getBackend() === 'wasm') {
      // wasm's tensors lie in this process's memory: the per-channel arithmetic is done here, in three small
      // uploads, instead of in eight kernels per layer that each pay tfjs's bookkeeping and are taped with clones
      // of their inputs (1272 of a ResNet-50 step's 2417 kernels). Reading values costs no GPU synchronisation
      // here. Other backends keep the kernels (cpu is the tests' reference for them).
      const [running, runningVar, batchMean, batchVar] = [this.runningMean, this.runningVar, mean, variance].map((t) => t.dataSync() as Float32Array);
      const tracked = this.numBatchesTracked.dataSync()[0]!;
      tf.tidy(() => {
        this.runningMean.assign(tf.tensor1d(running.map((r, c) => (1 - m) * r + m * batchMean[c]!)));
        this.runningVar.assign(tf.tensor1d(runningVar.map((r, c) => (1 - m) * r + m * bessel * batchVar[c]!)));
        this.numBatchesTracked.assign(tf.scalar(tracked + 1, 'int32'));
      });
      return;
    }
    tf.tidy(() => {
      const unbiased = tf.mul(variance, bessel);
      // No gradient reaches the running statistics: nothing on the loss's path reads them in train mode.
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(unbiased, m)));
      this.numBatchesTracked.assign(tf.add(this.numBatchesTracked, tf.scalar(1, 'int32')));
    });
  }
}
