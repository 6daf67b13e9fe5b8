import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { centralDifferences, dot, maxError, seededValues } from './__fixtures__/gradient-check.js';
import { registerKernelFixes, unregisterKernelFixes } from './register-kernel-fixes.js';

type Shape = [number, number, number, number];

beforeAll(async () => {
  await initBackend('cpu'); // registers the fixes, the cpu kernel among them
});

function resize(x: Float32Array, shape: Shape, size: [number, number], alignCorners: boolean, halfPixelCenters: boolean): number[] {
  const y = tf.tidy(() => tf.image.resizeNearestNeighbor(tf.tensor4d(x, shape), size, alignCorners, halfPixelCenters));
  const values = Array.from(y.dataSync());
  y.dispose();
  return values;
}

function gradient(
  x: Float32Array,
  shape: Shape,
  size: [number, number],
  dy: Float32Array,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): number[] {
  const g = tf.tidy(() => {
    const f = (t: tf.Tensor) => {
      const y = tf.image.resizeNearestNeighbor(t as tf.Tensor4D, size, alignCorners, halfPixelCenters);
      return tf.sum(tf.mul(y, tf.tensor(dy, y.shape)));
    };
    return tf.grad(f)(tf.tensor4d(x, shape));
  });
  const values = Array.from(g.dataSync());
  g.dispose();
  return values;
}

describe('ResizeNearestNeighborGrad on cpu (replacement)', () => {
  const dy = Float32Array.from({ length: 32 }, (_, i) => i);

  it('gives the reference gradient at batch 2 (§4.3 test vector)', () => {
    expect(gradient(new Float32Array(8), [2, 2, 2, 1], [4, 4], dy, false, false)).toEqual([10, 18, 42, 50, 74, 82, 106, 114]);
  });

  it('replaces a kernel that gets the second image wrong (tfjs-backend-cpu 4.22)', () => {
    unregisterKernelFixes();
    try {
      expect(gradient(new Float32Array(8), [2, 2, 2, 1], [4, 4], dy, false, false)).toEqual([10, 18, 42, 50, 26, 34, 58, 66]);
    } finally {
      registerKernelFixes();
    }
  });

  for (const [alignCorners, halfPixelCenters] of [[false, false], [true, false], [false, true]] as const) {
    for (const size of [[6, 4], [5, 7], [2, 3]] as Array<[number, number]>) {
      const flags = `alignCorners ${alignCorners}, halfPixelCenters ${halfPixelCenters}`;
      it(`equals finite differences of the forward pass (${flags}, [3, 4] → [${size.join(', ')}])`, () => {
        const shape: Shape = [2, 3, 4, 2];
        const x = seededValues(2 * 3 * 4 * 2, 31);
        const dy = seededValues(2 * size[0] * size[1] * 2, 32);
        const reference = centralDifferences((v) => dot(resize(v, shape, size, alignCorners, halfPixelCenters), dy), x, 0.5);
        expect(maxError(gradient(x, shape, size, dy, alignCorners, halfPixelCenters), reference)).toBeLessThan(1e-5);
      });
    }
  }
});
