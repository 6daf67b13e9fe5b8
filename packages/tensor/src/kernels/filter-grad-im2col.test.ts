import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { convGeometry, type ConvAttrs } from './conv-geometry.js';
import { im2colFilterGrad } from './filter-grad-im2col.js';
import { withKernelScope, type KernelBackendLike } from './kernel-scope.js';
import { liveCounts, maxError, seededValues } from './__fixtures__/gradient-check.js';

const info = (t: tf.Tensor) => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });

/** dW by the definition, in float64: Σ over images and output pixels of the padded input times dy. */
function referenceFilterGrad(x: Float32Array, xShape: number[], dy: Float32Array, dyShape: number[], k: number, s: number, pad: number): Float64Array {
  const [b, h, w, cin] = xShape as [number, number, number, number];
  const [, ho, wo, cout] = dyShape as [number, number, number, number];
  const out = new Float64Array(k * k * cin * cout);
  for (let n = 0; n < b; n += 1)
    for (let oh = 0; oh < ho; oh += 1)
      for (let ow = 0; ow < wo; ow += 1)
        for (let i = 0; i < k; i += 1)
          for (let j = 0; j < k; j += 1) {
            const ih = oh * s + i - pad;
            const iw = ow * s + j - pad;
            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
            for (let c = 0; c < cin; c += 1)
              for (let o = 0; o < cout; o += 1) {
                out[((i * k + j) * cin + c) * cout + o] += x[((n * h + ih) * w + iw) * cin + c]! * dy[((n * ho + oh) * wo + ow) * cout + o]!;
              }
          }
  return out;
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('im2colFilterGrad', () => {
  const xShape = [3, 7, 6, 2];
  const [k, s, pad] = [3, 2, 1];
  const attrs: ConvAttrs = { strides: s, pad: [[0, 0], [pad, pad], [pad, pad], [0, 0]], dataFormat: 'NHWC' };

  function run(maxElements: number): { grad: Float32Array | undefined; expected: Float64Array } {
    const xValues = seededValues(3 * 7 * 6 * 2, 11);
    const x = tf.tensor4d(xValues, xShape as [number, number, number, number]);
    const y = tf.conv2d(x, tf.zeros([k, k, 2, 4]) as tf.Tensor4D, s, attrs.pad as number);
    const dyValues = seededValues(y.size, 12);
    const dy = tf.tensor(dyValues, y.shape);
    const g = convGeometry('test', x.shape, [k, k, 2, 4], dy.shape, attrs);
    let grad: Float32Array | undefined;
    const before = liveCounts();
    let produced = false;
    try {
      const out = withKernelScope(tf.backend() as unknown as KernelBackendLike, 'wasm', (scope) => {
        const r = im2colFilterGrad(scope, info(x), info(dy), g, maxElements);
        produced = r !== undefined;
        return r ?? scope.wasmTensor([1], 'float32');
      });
      const t = tf.engine().makeTensorFromTensorInfo(out);
      if (produced) grad = t.dataSync() as Float32Array;
      t.dispose();
    } finally {
      expect(liveCounts()).toEqual(before);
      tf.dispose([x, y, dy]);
    }
    return { grad, expected: referenceFilterGrad(xValues, xShape, dyValues, dyShape(y), k, s, pad) };
  }
  const dyShape = (y: tf.Tensor) => y.shape as number[];

  // One image's columns: 9 taps × 2 channels × 4 × 3 output pixels = 216 elements.
  it.each([
    ['all three images at once', 10_000],
    ['two images, then one (the products summed)', 450],
    ['one image at a time', 216],
  ])('matches the float64 definition with %s', (_, maxElements) => {
    const { grad, expected } = run(maxElements);
    expect(grad).toBeDefined();
    expect(maxError(grad!, Float32Array.from(expected))).toBeLessThan(1e-5);
  });

  it('declines when one image alone exceeds the buffer, so the caller falls back', () => {
    expect(run(215).grad).toBeUndefined();
  });
});
