import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { liveCounts, onBackend, seededValues } from './__fixtures__/gradient-check.js';
import * as originals from './original-kernels.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Runs `f` on a seeded tensor of `shape` (float32 or int32) and returns every output's values. */
function outputs(shape: number[], dtype: 'float32' | 'int32', f: (x: tf.Tensor) => tf.Tensor | tf.Tensor[]): number[][] {
  const values = seededValues(shape.reduce((a, b) => a * b, 1), 7);
  const x = tf.tensor(dtype === 'int32' ? Int32Array.from(values, (v) => Math.round(v * 1000)) : values, shape, dtype);
  const result = [f(x)].flat();
  const read = result.map((t) => Array.from(t.dataSync()));
  tf.dispose([x, ...result]);
  return read;
}

const CASES: [string, number[], (x: tf.Tensor) => tf.Tensor | tf.Tensor[]][] = [
  ['split [N, 4] boxes into halves (axis 1)', [1001, 4], (x) => tf.split(x, 2, 1)],
  ['split [N, 4] into sizes [1, 3]', [37, 4], (x) => tf.split(x, [1, 3], 1)],
  ['slice the middle columns of a matrix', [9, 7], (x) => tf.slice(x, [2, 1], [5, 3])],
  ['slice rank 3, short rows', [4, 5, 6], (x) => tf.slice(x, [1, 2, 3], [2, 3, 2])],
  ['slice rank 4, short rows', [2, 3, 4, 5], (x) => tf.slice(x, [1, 0, 1, 2], [1, 3, 2, 3])],
  ['split rank 4 along the last axis', [2, 3, 4, 6], (x) => tf.split(x, 3, 3)],
  ['slice with long rows (the original kernel)', [6, 40], (x) => tf.slice(x, [1, 3], [4, 30])],
  ['contiguous slice (the original kernel)', [6, 5], (x) => tf.slice(x, [2, 0], [3, 5])],
  ['split along the first axis (contiguous)', [8, 3], (x) => tf.split(x, 4, 0)],
];

describe('Slice and SplitV on wasm (short rows element by element)', () => {
  for (const dtype of ['float32', 'int32'] as const) {
    it.each(CASES)(`give the cpu backend's values, ${dtype}: %s`, async (_name, shape, f) => {
      const wasm = outputs(shape, dtype, f);
      const cpu = await onBackend('cpu', () => outputs(shape, dtype, f));
      expect(wasm).toEqual(cpu);
    });
  }

  it('copy short rows themselves and leave long rows and contiguous slices to tfjs', () => {
    const spy = vi.spyOn(originals, 'runOriginal');
    outputs([50, 4], 'float32', (x) => tf.split(x, 2, 1));
    expect(spy).not.toHaveBeenCalled();
    outputs([6, 40], 'float32', (x) => tf.slice(x, [1, 3], [4, 30]));
    outputs([6, 5], 'float32', (x) => tf.slice(x, [2, 0], [3, 5]));
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });

  it('leave no tensor or wasm buffer behind', () => {
    outputs([100, 4], 'float32', (x) => tf.split(x, 2, 1));
    const before = liveCounts();
    outputs([100, 4], 'float32', (x) => [...tf.split(x, 2, 1), tf.slice(x, [3, 1], [10, 2])]);
    expect(liveCounts()).toEqual(before);
  });

  it('pass gradients through a split as the cpu backend does', async () => {
    const run = () => {
      const x = tf.tensor2d(seededValues(40, 3), [10, 4]);
      const g = tf.grad((t: tf.Tensor) => {
        const [a, b] = tf.split(t, 2, 1);
        return tf.sum(tf.mul(tf.square(a!), b!));
      })(x);
      const values = Array.from(g.dataSync());
      tf.dispose([x, g]);
      return values;
    };
    const wasm = run();
    const cpu = await onBackend('cpu', run);
    wasm.forEach((v, i) => expect(v).toBeCloseTo(cpu[i]!, 5));
  });
});
