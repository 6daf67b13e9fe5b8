/**
 * Train-mode batch normalisation over N, H, W of NHWC with its gradient written out (`tf.customGrad`), instead
 * of tfjs differentiating `tf.moments` and the normalisation op by op.
 *
 * With x̂ = (x − μ)·r, r = 1/√(σ² + ε), y = γ·x̂ + β and N = n·h·w values per channel, the standard result is
 *   dx = γ·r·(dy − mean(dy) − x̂·mean(dy·x̂)) = A·dy + B·x + C per channel, with
 *   A = γ·r,  B = −A·r·m₂,  C = −A·m₁ − B·μ,  m₁ = mean(dy),  m₂ = mean(dy·x̂) = r·(mean(dy·x) − μ·m₁),
 *   dγ = N·m₂,  dβ = N·m₁.
 * That is 5 full-size elementwise kernels and 2 per-channel reductions for the backward pass, against roughly
 * 15 full-size kernels for the op-by-op gradient (issue 11: BatchNorm's kernels are a quarter of a ResNet-50
 * step's non-conv time on wasm). The statistics themselves are computed once, outside the tape, by the caller;
 * on wasm the two backward means are one pass (`channel-sums.ts`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { BATCH_NORM_TRAIN } from '../kernels/onednn-batch-norm.js';
import { oneDnnActive } from '../kernels/onednn-conv.js';
import { channelSums } from './channel-sums.js';

const AXES = [0, 1, 2];

/**
 * y = (x − mean)·rsqrt(variance + eps)·weight + bias per channel, differentiable in x, weight and bias; `mean` and
 * `variance` must be x's batch statistics, taken without recording (`batchStatistics(x)`).
 */
export function batchNormTrain(
  x: tf.Tensor4D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  eps: number,
  weight?: tf.Tensor1D,
  bias?: tf.Tensor1D,
): tf.Tensor4D {
  const count = x.size / x.shape[3];
  const inputs: tf.Tensor[] = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const normalize = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [input, gamma] = [args[0] as tf.Tensor4D, weight ? (args[1] as tf.Tensor1D) : undefined];
    const beta = bias ? (args[weight ? 2 : 1] as tf.Tensor1D) : undefined;
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const scale = gamma ? tf.mul(invStd, gamma) : invStd; // A
    let shift = tf.neg(tf.mul(mean, scale));
    if (beta) shift = tf.add(shift, beta);
    // Tensors made here are freed with the caller's tidy; the backward pass gets clones kept by `save`.
    save([input, mean, invStd, scale]);
    return {
      value: tf.add(tf.mul(input, scale), shift),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, mu, r, a] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        // mean(dy) and mean(dy·x): one pass over both on wasm, tfjs reductions elsewhere.
        const sums = channelSums(dy as tf.Tensor4D, xs);
        const m1 = sums ? tf.tensor1d(Float32Array.from(sums.sum, (v) => v / count)) : tf.mean(dy, AXES);
        const meanDyX = sums ? tf.tensor1d(Float32Array.from(sums.sumOfProducts, (v) => v / count)) : tf.mean(tf.mul(dy, xs), AXES);
        const m2 = tf.mul(tf.sub(meanDyX, tf.mul(mu, m1)), r);
        const b = tf.neg(tf.mul(tf.mul(a, r), m2));
        const c = tf.sub(tf.neg(tf.mul(a, m1)), tf.mul(b, mu));
        const dx = tf.add(tf.add(tf.mul(dy, a), tf.mul(xs, b)), c);
        return [dx, ...(weight ? [tf.mul(m2, count)] : []), ...(bias ? [tf.mul(m1, count)] : [])];
      },
    };
  });
  return normalize(...inputs) as tf.Tensor4D;
}

/**
 * Train-mode batch normalisation in one oneDNN pass (and one backward), with the batch statistics: on wasm while
 * oneDNN is in use (`useOneDnn`), for float32 x with both γ and β. Undefined otherwise; the caller then takes
 * `batchStatistics` and `batchNormTrain`, which compute the same (issue 11: ~10× less time per BatchNorm layer).
 * `mean` and `variance` (biased) are for the running statistics; no gradient flows through them.
 */
export function batchNormTrainOneDnn(
  x: tf.Tensor4D,
  eps: number,
  weight?: tf.Tensor1D,
  bias?: tf.Tensor1D,
): { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined {
  if (!oneDnnActive() || tf.getBackend() !== 'wasm' || weight === undefined || bias === undefined) return undefined;
  if (x.dtype !== 'float32' || x.size === 0) return undefined;
  const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x, scale: weight, offset: bias }, { epsilon: eps }) as tf.Tensor[];
  return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}
