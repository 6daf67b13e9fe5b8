import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { maxRelativeError, numericGradient, projectionLoss } from '../testing/finite-differences.js';
import { Conv2d } from './conv2d.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('Conv2d', () => {
  it('computes a hand-checked convolution with PyTorch padding', () => {
    const conv = new Conv2d({ in_channels: 1, out_channels: 1, kernel_size: 2, bias: true });
    conv.weight.assign(tf.ones([2, 2, 1, 1]));
    conv.bias!.assign(tf.tensor1d([0.5]));
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    // Each output is the sum of a 2×2 window plus the bias.
    expect(Array.from(conv.forward(x).dataSync())).toEqual([12.5, 16.5, 24.5, 28.5]);
    conv.dispose();
  });

  it('pads symmetrically at stride 2 as PyTorch does (not tfjs "same")', () => {
    const conv = new Conv2d({ in_channels: 1, out_channels: 1, kernel_size: 3, stride: 2, padding: 1, bias: false });
    conv.weight.assign(tf.tensor4d([0, 0, 0, 0, 0, 0, 0, 0, 1], [3, 3, 1, 1])); // picks the bottom-right neighbour
    const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
    // Output (i, j) reads input (2i + 1, 2j + 1): 5, 7, 13, 15.
    const y = conv.forward(x);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.dataSync())).toEqual([5, 7, 13, 15]);
    conv.dispose();
  });

  for (const [stride, padding, kernel] of [
    [1, 1, 3],
    [2, 1, 3],
    [2, 0, 1],
    [1, 0, 3],
  ] as const) {
    it(`has input, weight and bias gradients equal to finite differences (k${kernel} s${stride} p${padding})`, () => {
      const conv = new Conv2d({ in_channels: 2, out_channels: 3, kernel_size: kernel, stride, padding });
      const x = tf.randomNormal([2, 5, 6, 2], 0, 1, 'float32', 3);
      const loss = (input: tf.Tensor) => projectionLoss(conv.forward(input as tf.Tensor4D));
      const analytic = tf.grad(loss)(x);
      expect(maxRelativeError(analytic.dataSync(), numericGradient(loss, x))).toBeLessThan(1e-2);

      const weightLoss = (w: tf.Tensor) => {
        conv.weight.assign(w);
        return loss(x);
      };
      const w0 = conv.weight.clone();
      const { grads } = tf.variableGrads(() => loss(x), [conv.weight, conv.bias!]);
      const numericW = numericGradient(weightLoss, w0);
      conv.weight.assign(w0);
      expect(maxRelativeError(grads[conv.weight.name]!.dataSync(), numericW)).toBeLessThan(1e-2);
      const numericB = numericGradient((b) => {
        conv.bias!.assign(b);
        return loss(x);
      }, conv.bias!.clone());
      expect(maxRelativeError(grads[conv.bias!.name]!.dataSync(), numericB)).toBeLessThan(1e-2);
      conv.dispose();
    });
  }
});
