import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { initBackend } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { MSELoss } from './mse-loss.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('MSELoss', () => {
  // NHWC [1, 1, 2, 2]: differences [1, −2, 0, 3], squares [1, 4, 0, 9]: sum 14, mean 3.5.
  const pair = () => [tf.tensor4d([1, 0, 2, 3], [1, 1, 2, 2]), tf.tensor4d([0, 2, 2, 0], [1, 1, 2, 2])] as const;

  it('reduces the squared error: mean 3.5, sum 14, loss_weight, weight and avg_factor', () => {
    const [s, t] = pair();
    const read = (loss: MSELoss, opts = {}) => tf.tidy(() => loss.forward(s, t, opts).dataSync()[0]);
    expect(read(new MSELoss())).toBeCloseTo(3.5, 6);
    expect(read(new MSELoss({ reduction: 'sum', loss_weight: 2 }))).toBeCloseTo(28, 5);
    const w = tf.tensor4d([1, 0, 1, 0], [1, 1, 2, 2]);
    expect(read(new MSELoss(), { weight: w, avgFactor: 2 })).toBeCloseTo(0.5, 5); // (1 + 0) / 2
    tf.dispose([s, t, w]);
  });

  it('sends gradient 2(pred − target)/n to pred and none to the target', () => {
    const [s, t] = pair();
    const loss = new MSELoss();
    const [gs, gt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss.forward(a, b) as tf.Scalar)([s, t]);
    [0.5, -1, 0, 1.5].forEach((v, i) => expect(gs!.dataSync()[i]).toBeCloseTo(v, 6));
    expect(Array.from(gt!.dataSync())).toEqual([0, 0, 0, 0]);
    tf.dispose([s, t, gs!, gt!]);
  });

  it('leaves no tensor behind but its result, and rejects different shapes', () => {
    const [s, t] = pair();
    const before = tf.memory().numTensors;
    const out = new MSELoss().forward(s, t);
    expect(tf.memory().numTensors).toBe(before + 1);
    const other = tf.zeros([1, 2, 2, 1]);
    expect(() => new MSELoss().forward(s, other)).toThrow('MSELoss.forward: expected pred and target of one shape, got [1, 1, 2, 2] and [1, 2, 2, 1]');
    tf.dispose([out, s, t, other]);
  });

  it('is registered as MSELoss and reports a bad option with its config path', () => {
    expect(MODELS.build<MSELoss>({ type: 'MSELoss' }).options).toEqual({ reduction: 'mean', loss_weight: 1 });
    expect(() => MODELS.build({ type: 'MSELoss', reduction: 'batchmean' }, { path: 'kd_loss' })).toThrow(/kd_loss\.reduction: /);
  });
});
