import * as tf from '@tensorflow/tfjs-core';
import { initBackend, maxRelativeError, numericGradient, projectionLoss } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEPTHWISE_GRAD_KERNELS, DepthwiseConv2d, backendHasDepthwiseGrads, depthwiseConvByTaps } from './depthwise-conv2d.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('DepthwiseConv2d', () => {
  it('works around the missing wasm depthwise gradient kernels', () => {
    expect(tf.getBackend()).toBe('wasm');
    for (const name of DEPTHWISE_GRAD_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeUndefined();
    expect(backendHasDepthwiseGrads()).toBe(false);
  });

  it.each([
    [1, 1],
    [2, 1],
    [1, 2],
    [2, 2],
  ])('computes by taps what tf.depthwiseConv2d computes (stride %i, dilation %i)', (stride, dilation) => {
    const x = tf.randomUniform([2, 9, 8, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
    const filter = tf.randomUniform([3, 3, 3, 1], -1, 1, 'float32', 2) as tf.Tensor4D;
    const expected = tf.depthwiseConv2d(x, filter, stride, 'valid', 'NHWC', dilation);
    const actual = depthwiseConvByTaps(x, filter, stride, dilation);
    expect(actual.shape).toEqual(expected.shape);
    expect(maxRelativeError(actual.dataSync(), expected.dataSync(), 1e-3)).toBeLessThan(1e-5);
    tf.dispose([x, filter, expected, actual]);
  });

  it('has the input and weight gradients of central finite differences on wasm (stride 2, padding 1)', () => {
    const conv = new DepthwiseConv2d({ channels: 3, kernel_size: 3, stride: 2, padding: 1, bias: true });
    const x = tf.randomUniform([1, 5, 6, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    const loss = (input: tf.Tensor) => projectionLoss(conv.forward(input as tf.Tensor4D));
    const dx = tf.grad(loss)(x);
    expect(maxRelativeError(dx.dataSync(), numericGradient(loss, x), 1e-2)).toBeLessThan(1e-2);

    const weight = conv.weight.clone();
    const lossOfWeight = (w: tf.Tensor) => {
      conv.weight.assign(w);
      return loss(x);
    };
    const numeric = numericGradient(lossOfWeight, weight);
    conv.weight.assign(weight);
    const { grads } = tf.variableGrads(() => loss(x), [conv.weight, conv.bias!]);
    expect(maxRelativeError(grads[conv.weight.name]!.dataSync(), numeric, 1e-2)).toBeLessThan(1e-2);
    expect(grads[conv.bias!.name]!.shape).toEqual([3]);
    tf.dispose([x, dx, weight, ...Object.values(grads)]);
    conv.dispose();
  });

  it('stores the weight HWIO [k, k, 1, C], as PyTorch [C, 1, k, k] converts', () => {
    const conv = new DepthwiseConv2d({ channels: 8, kernel_size: 3 });
    expect(conv.weight.shape).toEqual([3, 3, 1, 8]);
    expect(conv.parameter('weight')?.kind).toBe('conv');
    expect(conv.bias).toBeUndefined();
    conv.dispose();
  });
});
