import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { liveCounts, onBackend, seededValues } from './__fixtures__/gradient-check.js';
import { maxPoolGradWasmConfig } from './max-pool-grad.js';
import { originalKernel } from './original-kernels.js';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

interface Case {
  name: string;
  shape: [number, number, number, number];
  filter: number | [number, number];
  stride: number | [number, number];
  pad: Pad;
}

const CASES: Case[] = [
  { name: "ResNet stem: 3x3, stride 2, 'same', odd size, batch 2", shape: [2, 9, 9, 5], filter: 3, stride: 2, pad: 'same' },
  { name: "3x3, stride 2, 'same', even size", shape: [1, 8, 10, 3], filter: 3, stride: 2, pad: 'same' },
  { name: "2x2, stride 2, 'valid'", shape: [2, 8, 8, 3], filter: 2, stride: 2, pad: 'valid' },
  { name: "3x3, stride 1, 'same' (up to 9 windows share an element)", shape: [2, 7, 6, 4], filter: 3, stride: 1, pad: 'same' },
  { name: "3x3, stride 3, 'valid', a ragged edge", shape: [1, 10, 11, 2], filter: 3, stride: 3, pad: 'valid' },
  { name: "2x2, stride 1, 'same' (padding only bottom and right)", shape: [3, 6, 7, 1], filter: 2, stride: 1, pad: 'same' },
  { name: '3x3, stride 2, pad 1', shape: [2, 8, 9, 3], filter: 3, stride: 2, pad: 1 },
  { name: '3x2, strides [2, 1], explicit padding', shape: [1, 9, 8, 4], filter: [3, 2], stride: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { name: "2x2, stride 3, 'valid' (rows and columns in no window)", shape: [2, 8, 8, 6], filter: 2, stride: 3, pad: 'valid' },
  { name: "3x3, stride 2, 'same' on 1x1", shape: [2, 1, 1, 3], filter: 3, stride: 2, pad: 'same' },
  { name: "3x3, stride 2, 'same', 64 channels", shape: [1, 6, 5, 64], filter: 3, stride: 2, pad: 'same' },
];

/** Input values: seeded uniform, after relu (half zeros), small integers, or one constant (ties everywhere). */
const INPUTS = {
  random: (n: number, seed: number) => seededValues(n, seed),
  relu: (n: number, seed: number) => seededValues(n, seed).map((v) => Math.max(0, v)),
  integers: (n: number, seed: number) => seededValues(n, seed).map((v) => Math.round(v * 2)),
  constant: (n: number) => new Float32Array(n).fill(0.5),
} as const;

const TABLE = CASES.flatMap((c) => (Object.keys(INPUTS) as (keyof typeof INPUTS)[]).map((input) => ({ ...c, input })));

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** dx of Σ maxPool(x) · r on the active backend; r is seeded, so dy is the same on every backend. */
function poolGrad(x: Float32Array, c: Case): { values: Float32Array; shape: number[] } {
  const xt = tf.tensor4d(x, c.shape);
  const yShape = tf.maxPool(xt, c.filter, c.stride, c.pad).shape;
  const r = tf.tensor(seededValues(size(yShape), 99), yShape);
  const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, c.filter, c.stride, c.pad), r)))(xt);
  const result = { values: dx.dataSync() as Float32Array, shape: dx.shape };
  tf.dispose([xt, r, dx]);
  return result;
}

/** Leaves non-zero bytes where the next wasm outputs may be allocated: dx must not rely on cleared memory. */
function dirtyHeap(): void {
  tf.fill([1 << 16], 7).dispose();
}

beforeAll(async () => {
  await initBackend('wasm');
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('MaxPoolGrad on wasm (one NHWC pass on the heap)', () => {
  it('is the registered wasm MaxPoolGrad', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBe(maxPoolGradWasmConfig);
  });

  it.each(TABLE)('gives exactly the cpu backend\'s gradient: $name, $input input', async (c) => {
    const x = INPUTS[c.input](size(c.shape), 7);
    dirtyHeap();
    const wasm = poolGrad(x, c);
    const cpu = await onBackend('cpu', () => poolGrad(x, c));
    expect(wasm.shape).toEqual(c.shape);
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
  });

  it('sums the gradients an element gets from many windows in float64 as the cpu backend does', async () => {
    // One peak that the nine stride-1 windows around it all pick. The first adds 1, the other eight 3e-8 each:
    // less than half a float32 ulp of 1, so a float32 running sum stays 1, while the float64 sum rounds to 1 + 2 ulp.
    const x = new Float32Array(25);
    x[12] = 1;
    const dyValues = new Float32Array(25).fill(3e-8);
    dyValues[6] = 1; // the window at row 1, column 1: the first of the nine
    const run = () => {
      const xt = tf.tensor4d(x, [1, 5, 5, 1]);
      const dy = tf.tensor4d(dyValues, [1, 5, 5, 1]);
      const dx = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 3, 1, 'same'), dy)))(xt));
      const values = Array.from(dx.dataSync());
      tf.dispose([xt, dy, dx]);
      return values;
    };
    const wasm = run();
    const cpu = await onBackend('cpu', run);
    expect(wasm).toEqual(cpu);
    expect(wasm[12]).toBe(Math.fround(1 + 8 * 3e-8));
    expect(wasm[12]).toBeGreaterThan(1); // float32 accumulation would have lost every 3e-8
  });

  it('treats NaN and -Infinity as the cpu backend does: they never win, an all -Infinity window passes nothing', async () => {
    const c: Case = { name: 'special', shape: [1, 4, 6, 2], filter: 2, stride: 2, pad: 'valid' };
    const x = seededValues(size(c.shape), 3);
    for (const i of [0, 1, 2, 3, 12, 13, 14, 15]) x[i] = -Infinity; // the first window, both channels
    for (const i of [4, 7, 16, 19, 30, 41]) x[i] = NaN;
    const wasm = poolGrad(x, c);
    const cpu = await onBackend('cpu', () => poolGrad(x, c));
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
    expect(wasm.values.slice(0, 4).every((v) => v === 0)).toBe(true);
  });

  it('follows dimRoundingMode when the kernel is run directly', async () => {
    const shape: [number, number, number, number] = [2, 8, 7, 3];
    const x = seededValues(size(shape), 5);
    const run = () => {
      const xt = tf.tensor4d(x, shape);
      const y = tf.maxPool(xt, 3, 2, 1, 'ceil');
      const dy = tf.tensor(seededValues(y.size, 6), y.shape);
      const attrs = { filterSize: 3, strides: 2, pad: 1, dimRoundingMode: 'ceil' };
      const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input: xt, output: y }, attrs) as tf.Tensor;
      const values = Array.from(dx.dataSync());
      tf.dispose([xt, y, dy, dx]);
      return values;
    };
    dirtyHeap();
    const wasm = run();
    expect(wasm).toEqual(await onBackend('cpu', run));
  });

  it('matches cpu on a ResNet-stem-like pool of relu outputs', async () => {
    const c: Case = { name: 'stem', shape: [2, 32, 32, 64], filter: 3, stride: 2, pad: 'same' };
    const x = INPUTS.relu(size(c.shape), 11);
    const wasm = poolGrad(x, c);
    const cpu = await onBackend('cpu', () => poolGrad(x, c));
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
  });

  it('leaves no tensor or wasm buffer behind and its inputs intact, without calling the original kernel', () => {
    const original = vi.spyOn(originalKernel('MaxPoolGrad', 'wasm'), 'kernelFunc');
    const values = seededValues(2 * 9 * 9 * 4, 21);
    const x = tf.tensor4d(values, [2, 9, 9, 4]);
    const run = () => {
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 3, 2, 'same')))(x);
      dx.dataSync();
      dx.dispose();
    };
    run(); // warm up: first calls may cache kernels
    const before = liveCounts();
    run();
    expect(liveCounts()).toEqual(before);
    expect(Array.from(x.dataSync())).toEqual(Array.from(values));
    expect(original).not.toHaveBeenCalled();
    x.dispose();
  });
});

describe('MaxPoolGrad on wasm, cases left to the original kernel', () => {
  it('delegates an int32 input and an empty one', () => {
    const original = vi.spyOn(originalKernel('MaxPoolGrad', 'wasm'), 'kernelFunc');
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    const input = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1], 'int32');
    const dy = tf.tensor4d([1], [1, 1, 1, 1]);
    const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input, output: input }, attrs) as tf.Tensor;
    expect(original).toHaveBeenCalledTimes(1);

    const empty = tf.zeros([1, 2, 2, 0]);
    const emptyDy = tf.zeros([1, 1, 1, 0]);
    const emptyDx = tf.engine().runKernel('MaxPoolGrad', { dy: emptyDy, input: empty, output: emptyDy }, attrs) as tf.Tensor;
    expect(original).toHaveBeenCalledTimes(2);
    expect(emptyDx.shape).toEqual([1, 2, 2, 0]);
    tf.dispose([input, dy, dx, empty, emptyDy, emptyDx]);
  });
});
