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
});
