import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { initBackend } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { L1Loss, type L1LossOptions } from './l1-loss.js';
import type { LossForwardOptions } from './utils.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** mmdet's docstring example of `weighted_loss`: pred [0, 2, 3], target [1, 1, 1], weight [1, 0, 1]. */
function run(options: L1LossOptions, call: () => LossForwardOptions = () => ({})): number[] {
  const loss = new L1Loss(options);
  const out = tf.tidy(() => loss.forward(tf.tensor1d([0, 2, 3]), tf.tensor1d([1, 1, 1]), call()));
  const values = Array.from(out.dataSync());
  out.dispose();
  return values;
}
const weight = () => tf.tensor1d([1, 0, 1]);

describe('L1Loss', () => {
  it("reproduces mmdet's docstring example: 1.3333, 1.0 weighted, [1, 1, 2] unreduced, 1.5 with avg_factor 2", () => {
    expect(run({})[0]).toBeCloseTo(4 / 3, 6);
    expect(run({}, () => ({ weight: weight() }))[0]).toBeCloseTo(1, 6);
    expect(run({ reduction: 'none' })).toEqual([1, 1, 2]);
    expect(run({}, () => ({ weight: weight(), avgFactor: 2 }))[0]).toBeCloseTo(1.5, 6);
  });

  it('applies reductionOverride and loss_weight, and rejects avg_factor with sum', () => {
    expect(run({ loss_weight: 3 }, () => ({ reductionOverride: 'sum' }))).toEqual([12]);
    expect(() => run({}, () => ({ avgFactor: 2, reductionOverride: 'sum' }))).toThrow("avg_factor can not be used with reduction='sum'");
  });

  it('has gradient sign(pred − target), 0 where pred equals target', () => {
    const loss = new L1Loss({ reduction: 'sum' });
    const [pred, target] = [tf.tensor1d([0, 1, 3]), tf.tensor1d([1, 1, 1])];
    const grad = tf.grad((x: tf.Tensor) => loss.forward(x, target) as tf.Scalar)(pred);
    expect(Array.from(grad.dataSync())).toEqual([-1, 0, 1]);
    tf.dispose([pred, target, grad]);
  });

  it('returns an unscaled 0 still connected to pred when no weight is positive, and 0 for an empty target', () => {
    const loss = new L1Loss({ loss_weight: 2 });
    const [pred, target, zeros] = [tf.ones([3, 4]), tf.zeros([3, 4]), tf.zeros([3])];
    const grad = tf.grad((x: tf.Tensor) => loss.forward(x, target, { weight: zeros }) as tf.Scalar)(pred);
    expect(grad.shape).toEqual([3, 4]);
    expect(Array.from(grad.dataSync()).every((g) => g === 0)).toBe(true);
    const [emptyPred, emptyTarget] = [tf.zeros([0, 4]), tf.zeros([0, 4])];
    const empty = loss.forward(emptyPred, emptyTarget);
    expect(Array.from(empty.dataSync())).toEqual([0]);
    tf.dispose([pred, target, zeros, grad, emptyPred, emptyTarget, empty]);
  });

  it('leaves no tensor behind but its result', () => {
    const [pred, target, w] = [tf.tensor1d([0, 2, 3]), tf.tensor1d([1, 1, 1]), weight()];
    const before = tf.memory().numTensors;
    const out = new L1Loss().forward(pred, target, { weight: w, avgFactor: 2 });
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([out, pred, target, w]);
  });

  it('rejects pred and target of different shapes, naming both', () => {
    const [a, b] = [tf.zeros([2, 4]), tf.zeros([4, 2])];
    expect(() => new L1Loss().forward(a, b)).toThrow('L1Loss.forward: expected pred and target of the same shape, got [2, 4] and [4, 2]');
    tf.dispose([a, b]);
  });

  it('is registered as L1Loss with mmdet defaults', () => {
    const loss = MODELS.build<L1Loss>({ type: 'L1Loss' });
    expect(loss).toBeInstanceOf(L1Loss);
    expect(loss.options).toEqual({ reduction: 'mean', loss_weight: 1 });
  });
});
