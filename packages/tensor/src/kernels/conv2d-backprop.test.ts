import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import type { ExplicitPadding } from './conv-geometry.js';
import { CONV_ROUTES, useConvRoute } from './__fixtures__/conv-routes.js';
import { centralDifferences, dot, liveCounts, maxError, onBackend, seededValues } from './__fixtures__/gradient-check.js';

type Pad = 'same' | 'valid' | number | ExplicitPadding;

interface Case {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const CASES: Case[] = [
  { name: '3x3 s1 same, odd 7x7', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: '3x3 s2 same, odd 7x7', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { name: '3x3 s2 same, even 8x8', x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { name: '3x3 s1 valid, even 6x6', x: [2, 6, 6, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { name: '3x3 s2 valid, odd 7x7', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'valid' },
  { name: '3x3 s2 valid, even 8x8', x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'valid' },
  { name: '3x3 s2 pad 1, odd 7x7', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 2, pad: 1 },
  { name: '3x3 s2 pad 1, even 8x8', x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: 1 },
  { name: '1x1 s1 same, odd 5x5', x: [2, 5, 5, 3], filter: [1, 1, 3, 4], strides: 1, pad: 'same' },
  { name: '1x1 s2 valid, even 8x8', x: [2, 8, 8, 3], filter: [1, 1, 3, 4], strides: 2, pad: 'valid' },
  { name: '1x1 s2 same, odd 7x7', x: [2, 7, 7, 3], filter: [1, 1, 3, 4], strides: 2, pad: 'same' },
  { name: '3x3 s2 explicit [1,0]x[0,2], odd 7x7', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 2, pad: [[0, 0], [1, 0], [0, 2], [0, 0]] },
  { name: '3x3 s1 explicit pad 3 > k-1', x: [2, 5, 6, 2], filter: [3, 3, 2, 3], strides: 1, pad: [[0, 0], [3, 3], [0, 0], [0, 0]] },
  { name: '3x2 kernel, strides [2, 1], same, odd 7x6', x: [2, 7, 6, 3], filter: [3, 2, 3, 4], strides: [2, 1], pad: 'same' },
  { name: '3x2 kernel, strides [2, 1], same, even 8x6', x: [2, 8, 6, 3], filter: [3, 2, 3, 4], strides: [2, 1], pad: 'same' },
  { name: '3x3 s2 explicit [0,1]x[1,1], even 8x8', x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: [[0, 0], [0, 1], [1, 1], [0, 0]] },
  { name: '5x5 s2 same, even 8x8', x: [2, 8, 8, 2], filter: [5, 5, 2, 3], strides: 2, pad: 'same' },
  { name: '3x3 s3 valid, 9x9', x: [2, 9, 9, 2], filter: [3, 3, 2, 3], strides: 3, pad: 'valid' },
  { name: '2x2 s3 valid, 9x9 (a phase no tap reaches)', x: [2, 9, 9, 2], filter: [2, 2, 2, 3], strides: 3, pad: 'valid' },
  // 1×1 unpadded convs: dW is a matrix product, Xᵀ·dY when Cin <= Cout, (dYᵀ·X)ᵀ when Cin > Cout.
  { name: '1x1 s1 valid, Cin > Cout (8 -> 3), 6x6', x: [2, 6, 6, 8], filter: [1, 1, 8, 3], strides: 1, pad: 'valid' },
  { name: '1x1 s1 same, Cin < Cout (3 -> 8), 6x6', x: [2, 6, 6, 3], filter: [1, 1, 3, 8], strides: 1, pad: 'same' },
  { name: '1x1 s1 explicit zero pad, Cin = Cout, odd 5x3', x: [2, 5, 3, 4], filter: [1, 1, 4, 4], strides: 1, pad: [[0, 0], [0, 0], [0, 0], [0, 0]] },
  { name: '1x1 s2 valid, Cin > Cout (5 -> 4), odd 7x7', x: [2, 7, 7, 5], filter: [1, 1, 5, 4], strides: 2, pad: 'valid' },
  { name: '1x1 strides [2, 1] same, Cin < Cout, odd 7x6', x: [2, 7, 6, 3], filter: [1, 1, 3, 5], strides: [2, 1], pad: 'same' },
  { name: '1x1 strides [1, 2] valid, Cin > Cout, 6x7', x: [2, 6, 7, 6], filter: [1, 1, 6, 2], strides: [1, 2], pad: 'valid' },
  { name: '1x1 s3 valid, Cin < Cout, 8x8', x: [2, 8, 8, 3], filter: [1, 1, 3, 4], strides: 3, pad: 'valid' },
  { name: '1x1 s3 valid, Cin > Cout, 8x8', x: [2, 8, 8, 4], filter: [1, 1, 4, 3], strides: 3, pad: 'valid' },
  { name: '1x1 s2 explicit pad 1 (padded: not a plain product), odd 5x5', x: [2, 5, 5, 3], filter: [1, 1, 3, 2], strides: 2, pad: 1 },
];

/** Forward conv on the active backend, read outside tidy. */
function conv(c: Case, x: Float32Array, w: Float32Array): Float32Array {
  const y = tf.tidy(() => tf.conv2d(tf.tensor4d(x, c.x), tf.tensor4d(w, c.filter), c.strides, c.pad, 'NHWC', 1, c.dimRoundingMode));
  const values = y.dataSync() as Float32Array;
  y.dispose();
  return values;
}

/** dL/dx and dL/dw of L = Σ conv(x, w) · r by tf.grads on the active backend. */
function analytic(c: Case, x: Float32Array, w: Float32Array, r: Float32Array): [Float32Array, Float32Array] {
  const grads = tf.tidy(() => {
    const f = (xt: tf.Tensor, wt: tf.Tensor) => {
      const y = tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, c.strides, c.pad, 'NHWC', 1, c.dimRoundingMode);
      return tf.sum(tf.mul(y, tf.tensor(r, y.shape)));
    };
    return tf.grads(f)([tf.tensor4d(x, c.x), tf.tensor4d(w, c.filter)]);
  });
  const values = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose(grads);
  return [values[0]!, values[1]!];
}

function inputs(c: Case): { x: Float32Array; w: Float32Array; r: Float32Array } {
  const x = seededValues(c.x.reduce((a, b) => a * b), 1);
  const w = seededValues(c.filter.reduce((a, b) => a * b), 2);
  const r = seededValues(conv(c, x, w).length, 3);
  return { x, w, r };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe.each(CONV_ROUTES)('conv2d and its gradients on wasm via %s (Conv2D / Conv2DBackpropInput / Conv2DBackpropFilter fixes)', (route) => {
  beforeAll(() => useConvRoute(route));
  afterAll(() => useConvRoute('wasm kernels'));

  it.each(CASES)('match central finite differences: $name', (c) => {
    const { x, w, r } = inputs(c);
    const [dx, dw] = analytic(c, x, w, r);
    // The loss is linear in x and in w, so a large step is exact up to float32 rounding of the conv outputs.
    const dxRef = centralDifferences((v) => dot(conv(c, v, w), r), x, 0.5);
    const dwRef = centralDifferences((v) => dot(conv(c, x, v), r), w, 0.5);
    expect(maxError(dx, dxRef)).toBeLessThan(1e-4);
    expect(maxError(dw, dwRef)).toBeLessThan(1e-4);
  });

  it.each(CASES)('match the cpu backend\'s tf.grads: $name', async (c) => {
    const { x, w, r } = inputs(c);
    const [dx, dw] = analytic(c, x, w, r);
    const [dxCpu, dwCpu] = await onBackend('cpu', () => analytic(c, x, w, r));
    expect(maxError(dx, dxCpu)).toBeLessThan(1e-5);
    expect(maxError(dw, dwCpu)).toBeLessThan(1e-5);
  });

  it('match the cpu backend at a training-like size (2x16x16x8, 3x3 s2 same, 16 filters)', async () => {
    const c: Case = { name: 'large', x: [2, 16, 16, 8], filter: [3, 3, 8, 16], strides: 2, pad: 'same' };
    const { x, w, r } = inputs(c);
    const [dx, dw] = analytic(c, x, w, r);
    const [dxCpu, dwCpu] = await onBackend('cpu', () => analytic(c, x, w, r));
    expect(maxError(dx, dxCpu)).toBeLessThan(1e-5);
    expect(maxError(dw, dwCpu)).toBeLessThan(1e-5);
  });

  it('infer the dimRoundingMode that tfjs\'s Conv2D gradient does not pass on (pad 1, ceil)', async () => {
    // wasm's forward Conv2D ignores 'ceil' (XNNPACK rounds down), so the reference is the cpu forward pass.
    const c: Case = { name: 'ceil', x: [2, 8, 8, 3], filter: [3, 3, 3, 2], strides: 2, pad: 1, dimRoundingMode: 'ceil' };
    const x = seededValues(2 * 8 * 8 * 3, 1);
    const w = seededValues(3 * 3 * 3 * 2, 2);
    const r = seededValues(2 * 5 * 5 * 2, 3); // ceil((8 + 2 − 3) / 2) + 1 = 5
    const [dxRef, dwRef] = await onBackend('cpu', () => [
      centralDifferences((v) => dot(conv(c, v, w), r), x, 0.5),
      centralDifferences((v) => dot(conv(c, x, v), r), w, 0.5),
    ]);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' }; // as Conv2D_grad passes them
    const [dx, dw] = tf.tidy(() => {
      const dy = tf.tensor4d(r, [2, 5, 5, 2]);
      return [
        tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: tf.tensor4d(w, c.filter) }, { ...attrs, inputShape: c.x }),
        tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, c.x), dy }, { ...attrs, filterShape: c.filter }),
      ] as tf.Tensor[];
    });
    expect(maxError(dx!.dataSync(), dxRef!)).toBeLessThan(1e-4);
    expect(maxError(dw!.dataSync(), dwRef!)).toBeLessThan(1e-4);
    tf.dispose([dx!, dw!]);
  });

  it('serve tf.conv2dTranspose, whose forward pass is Conv2DBackpropInput', async () => {
    const dy = seededValues(2 * 4 * 4 * 5, 4);
    const w = seededValues(3 * 3 * 3 * 5, 5);
    const run = () => {
      const y = tf.tidy(() => tf.conv2dTranspose(tf.tensor4d(dy, [2, 4, 4, 5]), tf.tensor4d(w, [3, 3, 3, 5]), [2, 7, 7, 3], 2, 'same'));
      const values = y.dataSync() as Float32Array;
      y.dispose();
      return values;
    };
    expect(maxError(run(), await onBackend('cpu', run))).toBeLessThan(1e-5);
  });

  it('leave no tensor or wasm buffer behind after a gradient call', () => {
    const c = CASES[2]!;
    const { x, w, r } = inputs(c);
    analytic(c, x, w, r); // warm up: first calls may cache kernels
    const before = liveCounts();
    analytic(c, x, w, r);
    expect(liveCounts()).toEqual(before);
  });
});

describe('conv2d gradient kernels on wasm reject what they do not implement', () => {
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
  const filterGrad = (extra: object) => () =>
    tf.tidy(() => {
      const inputs = { x: tf.zeros([1, 4, 4, 2]), dy: tf.zeros([1, 4, 4, 3]) };
      return tf.engine().runKernel('Conv2DBackpropFilter', inputs, { ...attrs, filterShape: [3, 3, 2, 3], ...extra });
    });

  it('name NHWC when given NCHW', () => {
    expect(filterGrad({ dataFormat: 'NCHW' })).toThrow(/Conv2DBackpropFilter.*expected dataFormat 'NHWC', got 'NCHW'/);
  });

  it('refuse dilation > 1', () => {
    const run = () =>
      tf.tidy(() => {
        const inputs = { dy: tf.zeros([1, 4, 4, 3]), filter: tf.zeros([3, 3, 2, 3]) };
        return tf.engine().runKernel('Conv2DBackpropInput', inputs, { ...attrs, inputShape: [1, 4, 4, 2], dilations: 2 });
      });
    expect(run).toThrow(/only dilation 1 is supported, got 2/);
  });

  it('refuse a dy whose shape does not match the conv attrs', () => {
    expect(filterGrad({ strides: 2 })).toThrow(/dy has shape \[1, 4, 4, 3\], expected \[1, 2, 2, 3\]/);
  });
});
