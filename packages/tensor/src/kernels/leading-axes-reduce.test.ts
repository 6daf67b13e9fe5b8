import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { meanWasmConfig, sumWasmConfig } from './leading-axes-reduce.js';
import { originalKernel } from './original-kernels.js';
import { liveCounts, maxError, onBackend, seededValues } from './__fixtures__/gradient-check.js';

type Reduce = 'sum' | 'mean';

const SHAPE = [3, 4, 5, 6];
const VALUES = seededValues(3 * 4 * 5 * 6, 5);

/** tf.sum / tf.mean on the active backend, read outside tidy. */
function reduce(op: Reduce, values: Float32Array | Int32Array, shape: number[], axis: number | number[] | undefined, keepDims: boolean) {
  const y = tf.tidy(() => {
    const x = tf.tensor(values, shape, values instanceof Int32Array ? 'int32' : 'float32');
    return op === 'sum' ? tf.sum(x, axis, keepDims) : tf.mean(x, axis, keepDims);
  });
  const result = { shape: y.shape, dtype: y.dtype, values: Array.from(y.dataSync()) };
  y.dispose();
  return result;
}

/** Sums (or means) over the first `k` axes of a row-major tensor, in float64. */
function leadingReference(op: Reduce, values: ArrayLike<number>, shape: number[], k: number): Float64Array {
  const rows = shape.slice(0, k).reduce((p, d) => p * d, 1);
  const cols = shape.slice(k).reduce((p, d) => p * d, 1);
  const out = new Float64Array(cols);
  for (let r = 0; r < rows; r += 1) for (let c = 0; c < cols; c += 1) out[c] += values[r * cols + c]!;
  if (op === 'mean') for (let c = 0; c < cols; c += 1) out[c] /= rows;
  return out;
}

beforeAll(async () => {
  await initBackend('wasm');
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Sum and Mean on wasm over leading axes (float64 column sums)', () => {
  it('are the registered wasm Sum and Mean', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Sum', 'wasm')).toBe(sumWasmConfig);
    expect(tf.getKernel('Mean', 'wasm')).toBe(meanWasmConfig);
  });

  const LEADING = (['sum', 'mean'] as const).flatMap((op) =>
    [[0], [0, 1], [0, 1, 2]].flatMap((axes) => [false, true].map((keepDims) => ({ name: `${op} over [${axes.join(', ')}]`, op, axes, keepDims }))),
  );

  it.each(LEADING)('$name of [3, 4, 5, 6], keepDims $keepDims, matches float64', ({ op, axes, keepDims }) => {
    const { shape, dtype, values } = reduce(op, VALUES, SHAPE, axes, keepDims);
    const kept = SHAPE.slice(axes.length);
    expect(shape).toEqual(keepDims ? [...axes.map(() => 1), ...kept] : kept);
    expect(dtype).toBe('float32');
    expect(maxError(values, leadingReference(op, VALUES, SHAPE, axes.length))).toBeLessThan(1e-6);
  });

  it.each([
    { name: 'sum over [1, 0]', op: 'sum' as const, axis: [1, 0], k: 2 },
    { name: 'mean over [2, 0, 1]', op: 'mean' as const, axis: [2, 0, 1], k: 3 },
    { name: 'sum over -4', op: 'sum' as const, axis: -4, k: 1 },
    { name: 'mean over [-4, -3]', op: 'mean' as const, axis: [-4, -3], k: 2 },
  ])('$name (leading axes unsorted or negative) matches float64', ({ op, axis, k }) => {
    const { shape, values } = reduce(op, VALUES, SHAPE, axis, false);
    expect(shape).toEqual(SHAPE.slice(k));
    expect(maxError(values, leadingReference(op, VALUES, SHAPE, k))).toBeLessThan(1e-6);
  });

  it('sum 2^24 + 4096 ones over leading axes to the exact count (float32 accumulation stops at 2^24)', () => {
    const rows = 4097 * 4096; // 16 781 312 = 2^24 + 4096, a float32 integer
    const [sum, mean] = tf.tidy(() => {
      const x = tf.ones([4097, 4096, 1]);
      return [tf.sum(x, [0, 1]), tf.mean(x, [0, 1], true)];
    });
    expect(sum!.shape).toEqual([1]);
    expect(mean!.shape).toEqual([1, 1, 1]);
    expect(sum!.dataSync()[0]).toBe(rows);
    expect(mean!.dataSync()[0]).toBe(1); // float32 accumulation: 2^24 / rows = 0.99976
    tf.dispose([sum!, mean!]);
  });

  it('keep small rows that follow a large one (2^24, then 1024 ones, per column)', () => {
    const rows = 1025;
    const cols = 3;
    const values = new Float32Array(rows * cols).fill(1);
    values.set([2 ** 24, -(2 ** 24), 2 ** 24], 0); // 2^24 + 1 rounds back to 2^24 in float32
    const exact = [2 ** 24 + rows - 1, -(2 ** 24) + rows - 1, 2 ** 24 + rows - 1]; // all float32 integers
    const sum = reduce('sum', values, [rows, 1, cols], [0, 1], false);
    expect(sum.values).toEqual(exact);
    const mean = reduce('mean', values, [rows, 1, cols], [0, 1], false);
    expect(mean.values).toEqual(exact.map((v) => Math.fround(v / rows)));
  });

  const DELEGATED: { name: string; op: Reduce; axis: number | number[] | undefined; keepDims: boolean; int?: boolean; shape?: number[] }[] = [
    { name: 'sum over [1, 2]', op: 'sum', axis: [1, 2], keepDims: false },
    { name: 'mean over [1, 2], keepDims', op: 'mean', axis: [1, 2], keepDims: true },
    { name: 'sum over [3]', op: 'sum', axis: [3], keepDims: true },
    { name: 'mean over [3]', op: 'mean', axis: [3], keepDims: false },
    { name: 'sum over -1', op: 'sum', axis: -1, keepDims: false },
    { name: 'mean over -1, keepDims', op: 'mean', axis: -1, keepDims: true },
    { name: 'sum over [0, 2] (not a leading block)', op: 'sum', axis: [0, 2], keepDims: false },
    { name: 'sum over all axes (axis undefined)', op: 'sum', axis: undefined, keepDims: false },
    { name: 'mean over all axes [0, 1, 2, 3], keepDims', op: 'mean', axis: [0, 1, 2, 3], keepDims: true },
    { name: 'int32 sum over [0, 1]', op: 'sum', axis: [0, 1], keepDims: false, int: true },
    { name: 'int32 mean over [0], keepDims', op: 'mean', axis: [0], keepDims: true, int: true },
    { name: 'sum over [0] of a single row [1, 5, 6]', op: 'sum', axis: [0], keepDims: false, shape: [1, 5, 6] },
    { name: 'mean over [0, 1] of an empty tensor [2, 0, 3]', op: 'mean', axis: [0, 1], keepDims: false, shape: [2, 0, 3] },
  ];

  it.each(DELEGATED)('delegate and match the cpu backend: $name', async ({ op, axis, keepDims, int, shape = SHAPE }) => {
    const n = shape.reduce((p, d) => p * d, 1);
    const values = int ? Int32Array.from(VALUES.subarray(0, n), (v) => Math.round(v * 100)) : VALUES.slice(0, n);
    const original = vi.spyOn(originalKernel(op === 'sum' ? 'Sum' : 'Mean', 'wasm'), 'kernelFunc');
    const wasm = reduce(op, values, shape, axis, keepDims);
    expect(original).toHaveBeenCalled();
    const cpu = await onBackend('cpu', () => reduce(op, values, shape, axis, keepDims));
    expect(wasm.shape).toEqual(cpu.shape);
    expect(wasm.dtype).toBe(cpu.dtype);
    expect(maxError(wasm.values, cpu.values)).toBeLessThan(1e-5);
  });

  it('compute leading-axes float32 reductions without the original kernel', () => {
    const sum = vi.spyOn(originalKernel('Sum', 'wasm'), 'kernelFunc');
    const mean = vi.spyOn(originalKernel('Mean', 'wasm'), 'kernelFunc');
    reduce('sum', VALUES, SHAPE, [0, 1], false);
    reduce('mean', VALUES, SHAPE, [0, 1, 2], true);
    expect(sum).not.toHaveBeenCalled();
    expect(mean).not.toHaveBeenCalled();
  });

  it('give tf.grads of Σ mean(x, [0, 1, 2]) · r equal to r / rows', () => {
    const rows = 3 * 4 * 5;
    const r = seededValues(6, 7);
    const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.mean(x, [0, 1, 2]), tf.tensor1d(r))))(tf.tensor(VALUES, SHAPE)));
    const values = grad.dataSync();
    expect(grad.shape).toEqual(SHAPE);
    grad.dispose();
    const expected = Array.from(values, (_, i) => r[i % 6]! / rows);
    expect(maxError(values, expected, 1e-3)).toBeLessThan(1e-6);
  });

  it('give tf.grads of tf.mean(x, [0, 1, 2]) (dy = ones) equal to 1 / rows', () => {
    const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.mean(x, [0, 1, 2]))(tf.tensor(VALUES, SHAPE)));
    const values = grad.dataSync();
    grad.dispose();
    expect(maxError(values, new Float64Array(values.length).fill(1 / 60), 1e-3)).toBeLessThan(1e-6);
  });

  it('give the bias gradient of a broadcast add, a Sum over the leading axes, as float64 column sums of dy', () => {
    const r = seededValues(VALUES.length, 8);
    const grad = tf.tidy(() =>
      tf.grad((bias: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.tensor(VALUES, SHAPE), bias), tf.tensor(r, SHAPE))))(tf.zeros([6])),
    );
    const values = grad.dataSync();
    expect(grad.shape).toEqual([6]);
    grad.dispose();
    expect(maxError(values, leadingReference('sum', r, SHAPE, 3))).toBeLessThan(1e-6);
  });

  it('leave no tensor or wasm buffer behind', () => {
    const x = tf.tensor(VALUES, SHAPE);
    const run = () => {
      const ys = [tf.sum(x, [0, 1]), tf.mean(x, [0], true), tf.sum(x, [1, 2]), tf.mean(x, -1)];
      ys.forEach((y) => y.dataSync());
      tf.dispose(ys);
    };
    run();
    const before = liveCounts();
    run();
    expect(liveCounts()).toEqual(before);
    x.dispose();
  });

  it('leave the input intact', () => {
    const x = tf.tensor(VALUES, SHAPE);
    tf.dispose([tf.sum(x, [0, 1, 2]), tf.mean(x, [0], true)]);
    expect(x.dataSync()).toEqual(VALUES);
    x.dispose();
  });
});
