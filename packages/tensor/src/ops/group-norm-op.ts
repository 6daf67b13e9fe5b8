/**
 * Group normalisation over H, W and the channels of each group, per sample, with its gradient written out
 * (`tf.customGrad`) instead of tfjs differentiating `tf.moments` and the normalisation op by op.
 *
 * With x grouped as [N, H·W, G, C/G], statistics μ, σ² per (sample, group) over its M = H·W·C/G values,
 * r = 1/√(σ² + ε), x̂ = (x − μ)·r and y = γ·x̂ + β per channel, the standard result is
 *   dx̂ = γ·dy,  dx = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) (means per sample and group),
 *   dγ = Σ_{n,h,w} dy·x̂,  dβ = Σ_{n,h,w} dy.
 * About 10 kernels for the backward pass where tfjs's op-by-op gradient takes about 30: an ATSS head runs a
 * GroupNorm after each of its 4 + 4 convs on every FPN level, and on small images those kernels' fixed costs
 * make up much of a step (issue 11).
 */
import * as tf from '@tensorflow/tfjs-core';
import { noGrad } from './no-grad.js';

/** y = γ·(x − μ)/√(σ² + eps) + β with μ, σ² per sample and group of channels; differentiable in x, γ and β. */
export function groupNorm(x: tf.Tensor4D, groups: number, eps: number, weight?: tf.Tensor1D, bias?: tf.Tensor1D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const grouped: [number, number, number, number] = [n, h * w, groups, c / groups];
  // The statistics are constants to the tape: the written-out gradient accounts for them.
  const { mean, variance } = noGrad(() => tf.moments(tf.reshape(x, grouped), [1, 3], true)); // [N, 1, G, 1]
  const inputs: tf.Tensor[] = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const normalize = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const input = args[0] as tf.Tensor4D;
    const gamma = weight ? (args[1] as tf.Tensor1D) : undefined;
    const beta = bias ? (args[weight ? 2 : 1] as tf.Tensor1D) : undefined;
    const invStd = tf.rsqrt(tf.add(variance, eps)); // [N, 1, G, 1]
    const xHat = tf.mul(tf.sub(tf.reshape(input, grouped), mean), invStd); // [N, H·W, G, C/G]
    let y: tf.Tensor = tf.reshape(xHat, [n, h, w, c]);
    if (gamma) y = tf.mul(y, gamma);
    if (beta) y = tf.add(y, beta);
    // Tensors made here are freed with the caller's tidy; the backward pass gets clones kept by `save`.
    save([xHat, invStd]);
    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, r] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dXHat = tf.reshape(gamma ? tf.mul(dy, gamma) : dy, grouped);
        const m1 = tf.mean(dXHat, [1, 3], true);
        const m2 = tf.mean(tf.mul(dXHat, xh), [1, 3], true);
        const dx = tf.reshape(tf.mul(tf.sub(tf.sub(dXHat, m1), tf.mul(xh, m2)), r), [n, h, w, c]);
        const affine = [
          ...(weight ? [tf.sum(tf.mul(dy, tf.reshape(xh, [n, h, w, c])), [0, 1, 2])] : []),
          ...(bias ? [tf.sum(dy, [0, 1, 2])] : []),
        ];
        return [dx, ...affine];
      },
    };
  });
  return normalize(...inputs) as tf.Tensor4D;
}
