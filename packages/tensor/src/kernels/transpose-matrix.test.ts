import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { withKernelScope, type KernelBackendLike } from './kernel-scope.js';
import { splitFactor, transposeLastTwo } from './transpose-matrix.js';
import { liveCounts, seededValues } from './__fixtures__/gradient-check.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('splitFactor', () => {
  it.each([
    [8192, 64], // √8192 ≈ 90.5; the divisors are powers of two
    [12, 3], // √12 ≈ 3.46
    [13, 1], // a prime
    [1, 1],
    [2, 1],
    [16, 4], // a square
    [36, 6],
    [35, 5],
    [4096, 64],
    [2 * 64 * 64, 64],
  ])('splitFactor(%i) = %i', (n, a) => {
    expect(splitFactor(n)).toBe(a);
  });

  it('is the largest divisor of n not above √n, for every n up to 500', () => {
    for (let n = 1; n <= 500; n += 1) {
      let expected = 1;
      for (let a = 2; a * a <= n; a += 1) if (n % a === 0) expected = a;
      expect(splitFactor(n), `n = ${n}`).toBe(expected);
    }
  });
});

/** x [...batch, rows, cols] → [...batch, cols, rows], computed in plain JS. */
function transposedReference(values: Float32Array, shape: number[]): Float32Array {
  const rows = shape.at(-2)!;
  const cols = shape.at(-1)!;
  const batch = values.length / (rows * cols);
  const out = new Float32Array(values.length);
  for (let b = 0; b < batch; b += 1) {
    for (let i = 0; i < rows; i += 1) {
      for (let j = 0; j < cols; j += 1) out[b * rows * cols + j * rows + i] = values[b * rows * cols + i * cols + j]!;
    }
  }
  return out;
}

/** transposeLastTwo run through a KernelScope on the wasm backend; the result wrapped as an engine tensor. */
function transposeOnWasm(t: tf.Tensor): tf.Tensor {
  const info = { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
  const out = withKernelScope(tf.backend() as unknown as KernelBackendLike, 'wasm', (scope) => transposeLastTwo(scope, info));
  return tf.engine().makeTensorFromTensorInfo(out);
}

describe('transposeLastTwo on wasm', () => {
  it.each([
    { shape: [8192, 4] }, // rows = 64 · 128
    { shape: [64, 6] }, // rows = 8 · 8
    { shape: [2, 12, 5] }, // rows = 3 · 4, batch 2
    { shape: [13, 3] }, // prime rows: a plain 2-D transpose
    { shape: [3, 4, 6, 7] }, // two batch axes
    { shape: [1, 10] }, // one row
    { shape: [10, 1] }, // one column
    { shape: [2, 36, 36] }, // square
  ])('transposes the last two axes of $shape', ({ shape }) => {
    expect(tf.getBackend()).toBe('wasm');
    const values = seededValues(shape.reduce((p, d) => p * d, 1), 9);
    const x = tf.tensor(values, shape);
    const y = transposeOnWasm(x);
    expect(y.shape).toEqual([...shape.slice(0, -2), shape.at(-1)!, shape.at(-2)!]);
    expect(y.dtype).toBe('float32');
    expect(y.dataSync()).toEqual(transposedReference(values, shape));
    expect(x.dataSync()).toEqual(values); // the input is intact after the scope released its views of it
    tf.dispose([x, y]);
  });

  it('transposes int32 tensors too', () => {
    const values = Int32Array.from({ length: 2 * 6 * 4 }, (_, i) => i * 7 - 40);
    const x = tf.tensor(values, [2, 6, 4], 'int32');
    const y = transposeOnWasm(x);
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual(Array.from(transposedReference(Float32Array.from(values), [2, 6, 4])));
    tf.dispose([x, y]);
  });

  it('leaves no tensor or wasm buffer behind once the result is disposed', () => {
    const x = tf.tensor(seededValues(2 * 12 * 5, 10), [2, 12, 5]);
    tf.dispose(transposeOnWasm(x)); // warm up
    const before = liveCounts();
    const y = transposeOnWasm(x);
    y.dataSync();
    y.dispose();
    expect(liveCounts()).toEqual(before);
    x.dispose();
  });
});
