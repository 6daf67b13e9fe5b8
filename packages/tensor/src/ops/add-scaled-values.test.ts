import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { CONV_ROUTES, useConvRoute } from '../kernels/__fixtures__/conv-routes.js';
import { copyValuesInto } from './copy-values.js';
import { addScaledValues } from './add-scaled-values.js';

const setups = [...CONV_ROUTES.map((route) => ['wasm', route] as const), ['cpu', undefined] as const];

describe.each(setups)('on %s (%s)', (backend, route) => {
  beforeAll(async () => {
    await initBackend(backend);
    if (route) useConvRoute(route);
  });

  it('0.5·x + 0.25·values, by hand, with the values in a SharedArrayBuffer; x keeps its shape and nothing leaks', () => {
    const x = tf.tensor2d([[2, -4], [6, 0]]);
    const values = new Float32Array(new SharedArrayBuffer(16));
    values.set([4, 8, -4, 1]);
    const before = tf.memory().numTensors;
    const out = addScaledValues(x, 0.5, values, 0.25);
    expect(out.shape).toEqual([2, 2]);
    expect(Array.from(out.dataSync())).toEqual([2, 0, 2, 0.25]);
    expect(Array.from(x.dataSync())).toEqual([2, -4, 6, 0]);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('averages 300,000 values against float64', () => {
    const n = 300_000;
    const x = tf.tensor1d(Float32Array.from({ length: n }, (_, i) => Math.sin(i)));
    const values = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.7));
    const got = addScaledValues(x, 1 / 3, values, 2 / 3);
    const data = got.dataSync();
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(data[i]! - (Math.fround(Math.sin(i)) / 3 + (2 / 3) * Math.fround(Math.cos(i * 0.7)))));
    expect(worst).toBeLessThan(1e-6);
    tf.dispose([x, got]);
  });

  it(route === 'oneDNN' ? 'runs natively: no tfjs kernel' : 'runs as tfjs kernels', async () => {
    const x = tf.tensor1d([1, 2]);
    const info = await tf.profile(() => addScaledValues(x, 1, Float32Array.from([3, 4]), 1));
    expect(info.kernels.length === 0).toBe(route === 'oneDNN');
    tf.dispose([x, info.result as tf.Tensor]);
  });

  it('rejects values of the wrong length and a non-float tensor', () => {
    const x = tf.tensor1d([1, 2, 3]);
    expect(() => addScaledValues(x, 1, new Float32Array(2), 1)).toThrow(/2 values for a tensor of 3 \[3\]/);
    const ints = tf.tensor1d([1, 2], 'int32');
    expect(() => addScaledValues(ints, 1, new Float32Array(2), 1)).toThrow(/expected a float32 tensor, got int32/);
    tf.dispose([x, ints]);
  });

  it('copyValuesInto writes a tensor into a typed array at an offset, without touching the rest', () => {
    const target = new Float32Array(new SharedArrayBuffer(24)).fill(-1);
    const x = tf.tensor2d([[1.5, 2.5], [3.5, 4.5]]);
    copyValuesInto(x, target, 1);
    expect(Array.from(target)).toEqual([-1, 1.5, 2.5, 3.5, 4.5, -1]);
    const ints = tf.tensor1d([7, -8], 'int32');
    const intTarget = new Int32Array(3);
    copyValuesInto(ints, intTarget, 1);
    expect(Array.from(intTarget)).toEqual([0, 7, -8]);
    expect(() => copyValuesInto(x, target, 3)).toThrow(/4 values from offset 3 do not fit a target of 6/);
    expect(() => copyValuesInto(ints, target)).toThrow(/int32 tensor cannot be copied into a Float32Array/);
    tf.dispose([x, ints]);
  });
});
