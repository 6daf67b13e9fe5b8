import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { maxRelativeError, numericGradient, projectionLoss } from '../testing/finite-differences.js';
import { MaxPool2d } from './max-pool.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('MaxPool2d', () => {
  it('pools as the ResNet stem does (k3 s2 p1, padding never wins)', () => {
    const pool = new MaxPool2d({ kernel_size: 3, stride: 2, padding: 1 });
    const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => -i), [1, 4, 4, 1]); // all ≤ 0: zero padding would win
    // Window (i, j) covers rows 2i−1..2i+1, columns 2j−1..2j+1; the max is its top-left valid element.
    expect(Array.from(pool.forward(x).dataSync(), (v) => v + 0)).toEqual([0, -1, -4, -5]); // + 0 turns −0 into 0
  });

  it('has an input gradient equal to finite differences', () => {
    const pool = new MaxPool2d({ kernel_size: 3, stride: 2, padding: 1 });
    // Distinct values spaced well beyond h, so no window's maximum changes under the perturbation.
    const values = tf.util.createShuffledIndices(2 * 5 * 5 * 2);
    const x = tf.tensor4d(Float32Array.from(values, (v) => v * 0.1), [2, 5, 5, 2]);
    const loss = (v: tf.Tensor) => projectionLoss(pool.forward(v as tf.Tensor4D));
    expect(maxRelativeError(tf.grad(loss)(x).dataSync(), numericGradient(loss, x, 1e-2))).toBeLessThan(1e-2);
  });
});
