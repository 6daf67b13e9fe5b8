import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { centralDifferences, dot, liveCounts, maxError, onBackend, seededValues } from '../kernels/__fixtures__/gradient-check.js';
import { upsampleNearest } from './upsample-nearest.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function forward(x: Float32Array, shape: [number, number, number, number], size: [number, number]): number[] {
  const y = tf.tidy(() => upsampleNearest(tf.tensor4d(x, shape), size));
  const values = Array.from(y.dataSync());
  y.dispose();
  return values;
}

function gradient(x: Float32Array, shape: [number, number, number, number], size: [number, number], dy: Float32Array): number[] {
  const g = tf.tidy(() => {
    const f = (t: tf.Tensor) => {
      const y = upsampleNearest(t as tf.Tensor4D, size);
      return tf.sum(tf.mul(y, tf.tensor(dy, y.shape)));
    };
    return tf.grad(f)(tf.tensor4d(x, shape));
  });
  const values = Array.from(g.dataSync());
  g.dispose();
  return values;
}

describe('upsampleNearest', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`has the reference gradient for 2x upsampling at batch 2 on ${backend} (§4.3 test vector)`, async () => {
      const x = new Float32Array(8);
      const dy = Float32Array.from({ length: 32 }, (_, i) => i);
      const grad = await onBackend(backend, () => gradient(x, [2, 2, 2, 1], [4, 4], dy));
      expect(grad).toEqual([10, 18, 42, 50, 74, 82, 106, 114]);
    });
  }

  it('picks source pixel floor(dst · in/out) like PyTorch for sizes that are not multiples', () => {
    const x = Float32Array.from([0, 1, 2, 10, 11, 12]); // [1, 2, 3, 1]: rows 0..1, columns 0..2
    // Rows 2 → 3: floor(d · 2/3) = 0, 0, 1. Columns 3 → 5: floor(d · 0.6) = 0, 0, 1, 1, 2.
    expect(forward(x, [1, 2, 3, 1], [3, 5])).toEqual([0, 0, 1, 1, 2, 0, 0, 1, 1, 2, 10, 10, 11, 11, 12]);
    // Downsampling columns 3 → 2: floor(d · 1.5) = 0, 1.
    expect(forward(x, [1, 2, 3, 1], [2, 2])).toEqual([0, 1, 10, 11]);
  });

  it('repeats pixels for integer factors, as tf.image.resizeNearestNeighbor does', () => {
    const x = seededValues(2 * 3 * 2 * 4, 21);
    const expected = tf.tidy(() => tf.image.resizeNearestNeighbor(tf.tensor4d(x, [2, 3, 2, 4]), [6, 6]));
    expect(forward(x, [2, 3, 2, 4], [6, 6])).toEqual(Array.from(expected.dataSync()));
    expected.dispose();
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    for (const size of [[6, 9], [5, 7], [2, 2]] as Array<[number, number]>) {
      it(`has a gradient equal to finite differences at batch 2 on ${backend}: [3, 3] → [${size.join(', ')}]`, async () => {
        const shape: [number, number, number, number] = [2, 3, 3, 2];
        const x = seededValues(2 * 3 * 3 * 2, 22);
        const dy = seededValues(2 * size[0] * size[1] * 2, 23);
        const [grad, reference] = await onBackend(backend, () => [
          gradient(x, shape, size, dy),
          Array.from(centralDifferences((v) => dot(forward(v, shape, size), dy), x, 0.5)),
        ]);
        expect(maxError(grad!, reference!)).toBeLessThan(1e-5);
      });
    }
  }

  it('leaves no tensor behind after a gradient call', () => {
    const x = seededValues(2 * 3 * 3 * 2, 24);
    const dy = seededValues(2 * 5 * 7 * 2, 25);
    gradient(x, [2, 3, 3, 2], [5, 7], dy);
    const before = liveCounts();
    gradient(x, [2, 3, 3, 2], [5, 7], dy);
    gradient(x, [2, 3, 3, 2], [6, 6], seededValues(2 * 6 * 6 * 2, 26));
    expect(liveCounts()).toEqual(before);
  });

  it('rejects a size that is not two positive integers', () => {
    expect(() => upsampleNearest(tf.zeros([1, 2, 2, 1]), [0, 4])).toThrow(/size must be two positive integers \[h, w\], got \[0, 4\]/);
  });
});
