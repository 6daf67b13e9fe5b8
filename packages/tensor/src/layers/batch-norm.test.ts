import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { CONV_ROUTES, useConvRoute } from '../kernels/__fixtures__/conv-routes.js';
import { batchNormTrain } from '../ops/batch-norm-train.js';
import { batchStatistics } from '../ops/channel-sums.js';
import { maxRelativeError, numericGradient, projectionLoss } from '../testing/finite-differences.js';
import { BatchNorm2d } from './batch-norm.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe.each(CONV_ROUTES)('BatchNorm2d on wasm via %s', (route) => {
  beforeAll(() => useConvRoute(route));
  afterAll(() => useConvRoute('wasm kernels'));

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

  it('updates the running statistics without tfjs kernels (on oneDNN the layer runs one kernel in all)', async () => {
    const bn = new BatchNorm2d({ num_features: 1 });
    const input = x();
    const { kernelNames, result } = await tf.profile(() => bn.forward(input));
    if (route === 'oneDNN') expect(kernelNames).toEqual(['DetlabBatchNormTrain']);
    else {
      // The normalisation's kernels and no more (its statistics are computed without kernels on wasm).
      const { mean: m, variance: v } = batchStatistics(input as tf.Tensor4D);
      const normalisation = await tf.profile(() => batchNormTrain(input as tf.Tensor4D, m, v, 1e-5, bn.weight as tf.Tensor1D, bn.bias as tf.Tensor1D));
      const kernelsOnly = (names: string[]) => names.filter((name) => /^[A-Z]/.test(name)); // not tfjs's scope names
      expect(kernelsOnly(kernelNames)).toEqual(kernelsOnly(normalisation.kernelNames));
      tf.dispose([m, v, normalisation.result as tf.Tensor]);
    }
    expect(bn.runningMean.dataSync()[0]).toBeCloseTo(0.25, 6);
    tf.dispose([input, result as tf.Tensor]);
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

  it('trains a [2, 8, 8, 32] batch as the op-by-op route does (values, gradients, running statistics), leaking nothing', async () => {
    const bn = new BatchNorm2d({ num_features: 32 });
    bn.weight!.assign(tf.linspace(0.5, 2, 32));
    bn.bias!.assign(tf.linspace(-1, 1, 32));
    const input = tf.add(tf.mul(tf.randomNormal([2, 8, 8, 32], 0, 1, 'float32', 5), 3), tf.linspace(-4, 4, 32));
    const r = tf.randomNormal([2, 8, 8, 32], 0, 1, 'float32', 6);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(bn.forward(input as tf.Tensor4D), r)), [bn.weight!, bn.bias!]);
      const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(bn.forward(v as tf.Tensor4D), r)))(input);
      return [value, grads[bn.weight!.name]!, grads[bn.bias!.name]!, dx];
    };
    const profile = await tf.profile(() => tf.dispose(step()));
    expect(profile.kernelNames.includes('DetlabBatchNormTrain')).toBe(route === 'oneDNN');
    const before = tf.memory().numTensors;
    const ours = step();
    const values = ours.map((t) => Array.from(t.dataSync()));
    tf.dispose(ours);
    expect(tf.memory().numTensors).toBe(before);
    // The reference: the op-by-op gradient of batchNormTrain with statistics from batchStatistics.
    const reference = tf.tidy(() => {
      const f = (v: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = batchStatistics(v as tf.Tensor4D);
        return tf.sum(tf.mul(batchNormTrain(v as tf.Tensor4D, mean, variance, 1e-5, w as tf.Tensor1D, b as tf.Tensor1D), r));
      };
      const [dx, dw, db] = tf.grads(f)([input, bn.weight!, bn.bias!]);
      return [f(input, bn.weight!, bn.bias!), dw!, db!, dx!].map((t) => Array.from(t.dataSync()));
    });
    const tolerances = [1e-3, 1e-3, 1e-4, 1e-4];
    values.forEach((v, i) => v.forEach((value, j) => expect(Math.abs(value - reference[i]![j]!)).toBeLessThan(tolerances[i]! * Math.max(1, Math.abs(reference[i]![j]!)))));
    // Three forward passes so far (profile, step twice over: variableGrads and grad): 1 − 0.9³ of the batch mean.
    const channelMean = tf.tidy(() => Array.from(tf.mean(input, [0, 1, 2]).dataSync()));
    Array.from(bn.runningMean.dataSync()).forEach((m, c) => expect(m).toBeCloseTo((1 - 0.9 ** 4) * channelMean[c]!, 4));
    tf.dispose([input, r]);
    useConvRoute(route);
    bn.dispose();
  });
});

describe('BatchNorm2d on cpu', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  afterAll(async () => {
    await initBackend('wasm');
  });

  it('updates the running statistics with tfjs kernels, as PyTorch does', () => {
    const bn = new BatchNorm2d({ num_features: 2, momentum: 0.2 });
    // Channel 0 holds 1, 2, 3, 4 (mean 2.5, unbiased variance 5/3), channel 1 holds 0, 0, 4, 4 (mean 2, 16/3).
    tf.dispose(bn.forward(tf.tensor4d([1, 0, 2, 0, 3, 4, 4, 4], [1, 2, 2, 2])));
    const [mean, variance] = [bn.runningMean, bn.runningVar].map((t) => Array.from(t.dataSync()));
    [0.5, 0.4].forEach((v, c) => expect(mean[c]).toBeCloseTo(v, 6)); // 0.8·0 + 0.2·mean
    [0.8 + 0.2 * (5 / 3), 0.8 + 0.2 * (16 / 3)].forEach((v, c) => expect(variance[c]).toBeCloseTo(v, 5));
    expect(bn.numBatchesTracked.dataSync()[0]).toBe(1);
    bn.dispose();
  });
});
