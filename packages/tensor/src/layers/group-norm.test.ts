import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { maxRelativeError, numericGradient, projectionLoss } from '../testing/finite-differences.js';
import { GroupNorm } from './group-norm.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('GroupNorm', () => {
  it('normalizes each group of channels per sample (hand-checked)', () => {
    const gn = new GroupNorm({ num_groups: 2, num_channels: 4, eps: 1e-12 });
    // One pixel, channels [1, 3 | 10, 20]: group means 2 and 15, biased std 1 and 5.
    const y = Array.from(gn.forward(tf.tensor4d([1, 3, 10, 20], [1, 1, 1, 4])).dataSync());
    [-1, 1, -1, 1].forEach((expected, i) => expect(y[i]).toBeCloseTo(expected, 5));
    gn.dispose();
  });

  it('rejects channels not divisible by groups, naming the key', () => {
    expect(() => new GroupNorm({ num_groups: 3, num_channels: 4 })).toThrow(/num_channels must be divisible by num_groups/);
  });

  it('has an input gradient equal to finite differences', () => {
    const gn = new GroupNorm({ num_groups: 2, num_channels: 4 });
    gn.weight!.assign(tf.tensor1d([1, 2, 0.5, -1]));
    const x = tf.randomNormal([2, 2, 3, 4], 0, 1, 'float32', 5);
    const loss = (v: tf.Tensor) => projectionLoss(gn.forward(v as tf.Tensor4D));
    expect(maxRelativeError(tf.grad(loss)(x).dataSync(), numericGradient(loss, x))).toBeLessThan(2e-2);
    gn.dispose();
  });

  /** GroupNorm op by op, differentiated by tfjs: the formula the written-out gradient must reproduce. */
  function opByOp(x: tf.Tensor4D, groups: number, eps: number, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
    const [n, h, w, c] = x.shape;
    const grouped = tf.reshape(x, [n, h, w, groups, c / groups]);
    const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
    let y: tf.Tensor = tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, eps))), [n, h, w, c]);
    if (weight) y = tf.mul(y, weight);
    if (bias) y = tf.add(y, bias);
    return y;
  }

  it.each([true, false])('gives the op-by-op values and gradients of x, weight and bias (affine: %s), leaking nothing', (affine) => {
    const gn = new GroupNorm({ num_groups: 4, num_channels: 8, affine });
    gn.weight?.assign(tf.linspace(0.5, 2, 8));
    gn.bias?.assign(tf.linspace(-1, 1, 8));
    const x = tf.add(tf.mul(tf.randomNormal([2, 3, 5, 8], 0, 1, 'float32', 9), 2), 1) as tf.Tensor4D;
    const r = tf.randomNormal([2, 3, 5, 8], 0, 1, 'float32', 10);
    const params = affine ? [gn.weight!, gn.bias!] : [];
    const ours = (v: tf.Tensor, ...p: tf.Tensor[]) => tf.sum(tf.mul(gn.forward(v as tf.Tensor4D), r));
    const reference = (v: tf.Tensor, ...p: tf.Tensor[]) => tf.sum(tf.mul(opByOp(v as tf.Tensor4D, 4, 1e-5, p[0], p[1]), r));
    const read = (f: typeof ours) => tf.tidy(() => [f(x, ...params), ...tf.grads(f)([x, ...params])].map((t) => Array.from(t.dataSync())));
    read(ours); // first call: kernels set up
    const before = tf.memory().numTensors;
    const got = read(ours);
    expect(tf.memory().numTensors).toBe(before);
    const want = read(reference);
    got.forEach((values, i) => values.forEach((v, j) => expect(Math.abs(v - want[i]![j]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(want[i]![j]!)))));
    tf.dispose([x, r]);
    gn.dispose();
  });
});
