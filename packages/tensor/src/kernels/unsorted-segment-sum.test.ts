import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { liveCounts, maxError, onBackend, seededValues } from './__fixtures__/gradient-check.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Runs UnsortedSegmentSum on the active backend and reads the result. */
function segmentSum(x: tf.Tensor, ids: tf.Tensor, numSegments: number): { shape: number[]; values: number[] } {
  const out = tf.engine().runKernel('UnsortedSegmentSum', { x, segmentIds: ids }, { numSegments }) as tf.Tensor;
  const result = { shape: out.shape, values: Array.from(out.dataSync()) };
  out.dispose();
  return result;
}

describe('UnsortedSegmentSum on wasm', () => {
  it('sums rows with equal ids, duplicates included (hand-computed)', () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const ids = tf.tensor1d([2, 0, 2, 2], 'int32');
    expect(segmentSum(x, ids, 3)).toEqual({ shape: [3, 2], values: [3, 4, 0, 0, 13, 16] });
    tf.dispose([x, ids]);
  });

  it('drops ids outside [0, numSegments), as TensorFlow does', () => {
    const x = tf.tensor1d([1, 10, 100, 1000]);
    const ids = tf.tensor1d([-1, 1, 3, 1], 'int32');
    expect(segmentSum(x, ids, 3)).toEqual({ shape: [3], values: [0, 1010, 0] });
    tf.dispose([x, ids]);
  });

  it('accepts multi-dimensional ids that index the leading axes of x', () => {
    // The cpu backend only takes 1-D ids, so the reference is summed here.
    const values = seededValues(2 * 3 * 4, 11);
    const ids = [0, 1, 0, 4, 1, 2];
    const expected = new Array<number>(5 * 4).fill(0);
    ids.forEach((id, i) => {
      for (let c = 0; c < 4; c += 1) expected[id * 4 + c]! += values[i * 4 + c]!;
    });
    const x = tf.tensor3d(values, [2, 3, 4]);
    const idTensor = tf.tensor2d(ids, [2, 3], 'int32');
    const result = segmentSum(x, idTensor, 5);
    expect(result.shape).toEqual([5, 4]);
    expect(maxError(result.values, expected)).toBeLessThan(1e-6);
    tf.dispose([x, idTensor]);
  });

  it('makes the gather gradient match the cpu backend, on axis 0 and 1', async () => {
    const params = seededValues(6 * 5 * 3, 12);
    const dy0 = seededValues(7 * 5 * 3, 13);
    const dy1 = seededValues(6 * 7 * 3, 14);
    const run = () => {
      const grad = (axis: number, dy: Float32Array, shape: number[]) => {
        const indices = axis === 0 ? [0, 5, 2, 2, 5, 0, 3] : [4, 1, 1, 0, 4, 4, 2]; // repeats are summed
        const g = tf.tidy(() => {
          const f = (p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, tf.tensor1d(indices, 'int32'), axis), tf.tensor(dy, shape)));
          return tf.grad(f)(tf.tensor3d(params, [6, 5, 3]));
        });
        const values = Array.from(g.dataSync());
        g.dispose();
        return values;
      };
      return [grad(0, dy0, [7, 5, 3]), grad(1, dy1, [6, 7, 3])];
    };
    const [wasm0, wasm1] = run();
    const [cpu0, cpu1] = await onBackend('cpu', run);
    expect(maxError(wasm0!, cpu0!)).toBeLessThan(1e-6);
    expect(maxError(wasm1!, cpu1!)).toBeLessThan(1e-6);
  });

  it('leaves no tensor or wasm buffer behind, also when it drops ids', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const ids = tf.tensor1d([0, 7, 1], 'int32');
    segmentSum(x, ids, 2);
    const before = liveCounts();
    segmentSum(x, ids, 2);
    expect(liveCounts()).toEqual(before);
    tf.dispose([x, ids]);
  });
});
