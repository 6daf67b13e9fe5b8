import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@detlab/tensor';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectClose, param, values } from '../__fixtures__/toy.js';
import { OptimWrapper } from './optim-wrapper.js';
import type { OptimParam } from './param-group.js';
import { SGD } from './sgd.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const owned: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const o of owned.splice(0)) o.dispose();
});

/** w (2 elements) and b (1 element), plain SGD unless `sgd` says otherwise. */
function setup(wrapper: Partial<ConstructorParameters<typeof OptimWrapper>[0]> = {}, sgd: Record<string, unknown> = {}) {
  const w = param('w', [1, -1]);
  const b = param('b', [0.5]);
  const optimWrapper = new OptimWrapper({ optimizer: new SGD({ params: [w, b], lr: 1, ...sgd }), ...wrapper });
  owned.push(optimWrapper, w.variable, b.variable);
  return { w, b, optimWrapper };
}

/** Σ c·w + d·b: gradients are exactly c and d. */
function linear(w: OptimParam, b: OptimParam, c: number[], d: number) {
  return () => tf.add(tf.sum(tf.mul(w.variable, c)), tf.mul(tf.sum(b.variable), d)) as tf.Scalar;
}

describe('OptimWrapper.updateParams', () => {
  it('steps once per call and returns the loss as a number', () => {
    const { w, b, optimWrapper } = setup();
    const result = optimWrapper.updateParams(linear(w, b, [3, 4], 12));
    expect(result).toEqual({ losses: { loss: -1 + 6 }, updated: true });
    expect(values(w.variable)).toEqual([1 - 3, -1 - 4]);
    expect(values(b.variable)).toEqual([0.5 - 12]);
  });

  it('clips by total norm across all parameters and reports the norm before clipping', () => {
    const { w, b, optimWrapper } = setup({ clip_grad: { max_norm: 6.5 } });
    const { gradNorm } = optimWrapper.updateParams(linear(w, b, [3, 4], 12)); // |(3, 4, 12)| = 13
    expect(gradNorm).toBeCloseTo(13, 5);
    const coef = 6.5 / (13 + 1e-6);
    expectClose(values(w.variable), [1 - 3 * coef, -1 - 4 * coef]);
    expectClose(values(b.variable), [0.5 - 12 * coef]);
  });

  it('clips by value without reporting a norm', () => {
    const { w, b, optimWrapper } = setup({ clip_grad: { type: 'value', clip_value: 2 } });
    const result = optimWrapper.updateParams(linear(w, b, [3, -1], -12));
    expect(result.gradNorm).toBeUndefined();
    expect(values(w.variable)).toEqual([1 - 2, -1 + 1]);
    expect(values(b.variable)).toEqual([0.5 + 2]);
  });

  it('with accumulative_counts 2, two calls equal one step on the mean loss', () => {
    const lossA = (w: OptimParam, b: OptimParam) => () => tf.sum(tf.square(tf.sub(w.variable, tf.mul(b.variable, 2)))) as tf.Scalar;
    const lossB = (w: OptimParam, b: OptimParam) => () => tf.sum(tf.mul(tf.mul(w.variable, b.variable), 3)) as tf.Scalar;
    const acc = setup({ accumulative_counts: 2 }, { lr: 0.1, momentum: 0.9 });
    const first = acc.optimWrapper.updateParams(lossA(acc.w, acc.b));
    expect(first.updated).toBe(false);
    expect(values(acc.w.variable)).toEqual([1, -1]);
    expect(acc.optimWrapper.updateParams(lossB(acc.w, acc.b)).updated).toBe(true);

    const one = setup({}, { lr: 0.1, momentum: 0.9 });
    one.optimWrapper.updateParams(() => tf.div(tf.add(lossA(one.w, one.b)(), lossB(one.w, one.b)()), 2) as tf.Scalar);
    expectClose(values(acc.w.variable), values(one.w.variable), 1e-6);
    expectClose(values(acc.b.variable), values(one.b.variable), 1e-6);
  });

  it('divides the last incomplete window by its own length once max_counts is known', () => {
    const { w, b, optimWrapper } = setup({ accumulative_counts: 2 });
    optimWrapper.initializeCountStatus(undefined, 0, 3);
    optimWrapper.updateParams(linear(w, b, [1, 1], 0));
    optimWrapper.updateParams(linear(w, b, [1, 1], 0)); // window 1: (1 + 1) / 2
    expect(values(w.variable)).toEqual([0, -2]);
    const last = optimWrapper.updateParams(linear(w, b, [1, 1], 0)); // window 2 has one call: divided by 1
    expect(last.updated).toBe(true);
    expect(values(w.variable)).toEqual([-1, -3]);
  });

  it('leaves frozen parameters untouched and keeps no state for them', () => {
    const { w, b, optimWrapper } = setup({}, { momentum: 0.9 });
    b.variable.trainable = false;
    optimWrapper.updateParams(linear(w, b, [1, 1], 5));
    optimWrapper.updateParams(linear(w, b, [1, 1], 5));
    expect(values(b.variable)).toEqual([0.5]);
    expect([...optimWrapper.stateDict().tensors.keys()]).toEqual(['w.momentum_buffer']);
  });

  it("sums the named losses whose key contains 'loss' and reports the others", () => {
    const { w, b, optimWrapper } = setup();
    const result = optimWrapper.updateParams(() => ({
      loss_cls: tf.sum(w.variable) as tf.Scalar,
      loss_bbox: tf.sum(b.variable) as tf.Scalar,
      acc: tf.scalar(0.75),
    }));
    expect(result.losses).toEqual({ loss: 0.5, loss_cls: 0, loss_bbox: 0.5, acc: 0.75 });
    expect(values(w.variable)).toEqual([0, -2]);
  });

  it('rejects a loss record without any loss term', () => {
    const { optimWrapper } = setup();
    expect(() => optimWrapper.updateParams(() => ({ acc: tf.scalar(1) }))).toThrow("none of the keys acc contains 'loss'");
  });

  it('keeps the tensor count constant across iterations, with accumulation and clipping', () => {
    const { w, b, optimWrapper } = setup({ accumulative_counts: 2, clip_grad: { max_norm: 1 } }, { momentum: 0.9, weight_decay: 1e-4, lr: 0.01 });
    const loss = () => tf.sum(tf.square(tf.add(w.variable, b.variable))) as tf.Scalar;
    optimWrapper.updateParams(loss);
    optimWrapper.updateParams(loss); // first step creates the momentum buffers
    const before = tf.memory().numTensors;
    for (let i = 0; i < 6; i++) optimWrapper.updateParams(loss);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('survives a per-iteration tf.tidy around updateParams while accumulating', () => {
    const { w, b, optimWrapper } = setup({ accumulative_counts: 2 });
    tf.tidy(() => void optimWrapper.updateParams(linear(w, b, [1, 2], 1)));
    tf.tidy(() => void optimWrapper.updateParams(linear(w, b, [1, 2], 1)));
    expect(values(w.variable)).toEqual([0, -3]);
  });
});

describe('OptimWrapper learning rates', () => {
  it('reports lr and momentum per group, and base_lr when there are several groups', () => {
    const one = setup({}, { lr: 0.02, momentum: 0.9 });
    expect(one.optimWrapper.getLr()).toEqual({ lr: [0.02] });
    expect(one.optimWrapper.getMomentum()).toEqual({ momentum: [0.9] });

    const w = param('w', [1]);
    const b = param('b', [1]);
    const sgd = new SGD({ params: [{ params: [w] }, { params: [b], hyper: { lr: 0.002 } }], lr: 0.02 });
    const two = new OptimWrapper({ optimizer: sgd });
    owned.push(two, w.variable, b.variable);
    expect(two.getLr()).toEqual({ base_lr: [0.02], lr: [0.02, 0.002] });
    expect(two.paramGroups).toHaveLength(3);
  });
});

describe('OptimWrapper errors', () => {
  it('frees the named losses when the loss does not depend on any parameter', () => {
    const { optimWrapper } = setup();
    const before = tf.memory().numTensors;
    expect(() => optimWrapper.updateParams(() => ({ loss: tf.scalar(1) }))).toThrow(/Cannot find a connection between any variable and the result/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses to train when every parameter is frozen', () => {
    const { w, b, optimWrapper } = setup();
    w.variable.trainable = false;
    b.variable.trainable = false;
    expect(() => optimWrapper.updateParams(() => tf.sum(w.variable) as tf.Scalar)).toThrow('[OptimWrapper] backward: no trainable parameters (every parameter is frozen)');
  });
});

describe('OptimWrapper.updateParamsWithGrads', () => {
  it('steps with given gradients (by variable name), clipping them as updateParams would', () => {
    const { w, b, optimWrapper } = setup({ clip_grad: { max_norm: 6.5 } });
    const grads = { [w.variable.name]: tf.tensor1d([3, 4]), [b.variable.name]: tf.tensor1d([12]) };
    const result = optimWrapper.updateParamsWithGrads(grads, { loss: 5 });
    expect(result.losses).toEqual({ loss: 5 });
    expect(result.gradNorm).toBeCloseTo(13, 5);
    const coef = 6.5 / (13 + 1e-6);
    expectClose(values(w.variable), [1 - 3 * coef, -1 - 4 * coef]);
    expect(grads[w.variable.name].isDisposed).toBe(true); // ownership passed
  });

  it('with accumulative_counts 2, divides by the window and steps on the second call', () => {
    const { w, b, optimWrapper } = setup({ accumulative_counts: 2 });
    const first = optimWrapper.updateParamsWithGrads({ [w.variable.name]: tf.tensor1d([2, 4]), [b.variable.name]: tf.tensor1d([6]) }, { loss: 1 });
    expect(first.updated).toBe(false);
    expect(values(w.variable)).toEqual([1, -1]);
    const second = optimWrapper.updateParamsWithGrads({ [w.variable.name]: tf.tensor1d([4, 0]), [b.variable.name]: tf.tensor1d([2]) }, { loss: 1 });
    expect(second.updated).toBe(true);
    expect(values(w.variable)).toEqual([1 - 3, -1 - 2]);
    expect(values(b.variable)).toEqual([0.5 - 4]);
  });

  it('ignores (and frees) gradients of variables the optimizer does not hold', () => {
    const { w, optimWrapper } = setup();
    const stray = tf.variable(tf.tensor1d([0]), true);
    owned.push(stray);
    const strayGrad = tf.tensor1d([9]);
    optimWrapper.updateParamsWithGrads({ [w.variable.name]: tf.tensor1d([1, 1]), [stray.name]: strayGrad }, { loss: 0 });
    expect(values(w.variable)).toEqual([0, -2]);
    expect(strayGrad.isDisposed).toBe(true);
    expect(optimWrapper.trainableVariables()).toHaveLength(2);
  });
});
