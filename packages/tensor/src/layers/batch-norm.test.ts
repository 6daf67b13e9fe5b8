import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { maxRelativeError, numericGradient, projectionLoss } from '../testing/finite-differences.js';
import { BatchNorm2d } from './batch-norm.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('BatchNorm2d', () => {
  // One channel holding 1, 2, 3, 4: mean 2.5, biased variance 1.25, unbiased variance 5/3.
  const x = () => tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);

  it('normalizes with the batch statistics in train mode and updates running stats as PyTorch does', () => {
    const bn = new BatchNorm2d({ num_features: 1 });
    const y = Array.from(bn.forward(x()).dataSync());
    const std = Math.sqrt(1.25 + 1e-5);
    [1, 2, 3, 4].forEach((v, i) => expect(y[i]).toBeCloseTo((v - 2.5) / std, 5));
    expect(bn.runningMean.dataSync()[0]).toBeCloseTo(0.25, 6); // 0.9·0 + 0.1·2.5
    expect(bn.runningVar.dataSync()[0]).toBeCloseTo(0.9 + 0.1 * (5 / 3), 6); // unbiased variance
    expect(bn.numBatchesTracked.dataSync()[0]).toBe(1);
    bn.dispose();
  });

  it('uses the running statistics in eval mode and leaves them unchanged', () => {
    const bn = new BatchNorm2d({ num_features: 1, eps: 1e-12 });
    bn.runningMean.assign(tf.tensor1d([2]));
    bn.runningVar.assign(tf.tensor1d([4]));
    bn.eval();
    const y = Array.from(bn.forward(x()).dataSync());
    [-0.5, 0, 0.5, 1].forEach((expected, i) => expect(y[i]).toBeCloseTo(expected, 6)); // (x − 2)/2
    expect(bn.runningMean.dataSync()[0]).toBe(2);
    expect(bn.numBatchesTracked.dataSync()[0]).toBe(0);
    bn.dispose();
  });

  it('names its state as PyTorch does', () => {
    const bn = new BatchNorm2d({ num_features: 3 });
    expect([...bn.stateDict().keys()]).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(bn.parameterCount()).toBe(6);
    bn.dispose();
  });

  it('has input and affine gradients equal to finite differences in train mode', () => {
    const bn = new BatchNorm2d({ num_features: 3 });
    bn.weight!.assign(tf.tensor1d([0.5, 1.5, -1]));
    bn.bias!.assign(tf.tensor1d([0.1, -0.2, 0.3]));
    const input = tf.randomNormal([2, 3, 3, 3], 0, 1, 'float32', 11);
    const loss = (v: tf.Tensor) => projectionLoss(bn.forward(v as tf.Tensor4D));
    expect(maxRelativeError(tf.grad(loss)(input).dataSync(), numericGradient(loss, input))).toBeLessThan(2e-2);
    const { grads } = tf.variableGrads(() => loss(input), [bn.weight!]);
    const numeric = numericGradient((w) => {
      bn.weight!.assign(w);
      return loss(input);
    }, tf.tensor1d([0.5, 1.5, -1]));
    expect(maxRelativeError(grads[bn.weight!.name]!.dataSync(), numeric)).toBeLessThan(1e-2);
    bn.dispose();
  });
});
