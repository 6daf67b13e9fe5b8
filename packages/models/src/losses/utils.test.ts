import * as tf from '@tensorflow/tfjs-core';
import { DetlabError } from '@detlab/core';
import { initBackend, maxRelativeError, numericGradient } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FLOAT32_EPS,
  absWithSignGrad,
  binaryCrossEntropyWithLogits,
  labelsToOneHot,
  resolveReduction,
  stableSoftplus,
  weightReduceLoss,
  type Reduction,
} from './utils.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** The values of a tensor that `make` builds, read outside any tidy; frees everything. */
function valuesOf(make: () => tf.Tensor): number[] {
  const t = tf.tidy(make);
  const values = Array.from(t.dataSync());
  t.dispose();
  return values;
}

/** The gradient of sum(f(x)) at `x`, as numbers. */
function gradOf(f: (x: tf.Tensor) => tf.Tensor, x: number[]): number[] {
  return valuesOf(() => tf.grad((v: tf.Tensor) => tf.sum(f(v)))(tf.tensor1d(x)));
}

describe('weightReduceLoss', () => {
  // mmdet's docstring example for `weighted_loss`: l1 of [0, 2, 3] against 1 is [1, 1, 2].
  const loss = () => tf.tensor1d([1, 1, 2]);
  const weight = () => tf.tensor1d([1, 0, 1]);
  const reduce = (reduction: Reduction, withWeight: boolean, avgFactor?: number) =>
    valuesOf(() => weightReduceLoss(loss(), withWeight ? weight() : undefined, reduction, avgFactor));

  it('reduces without a weight by mean, sum or not at all', () => {
    expect(reduce('mean', false)[0]).toBeCloseTo(4 / 3, 6);
    expect(reduce('sum', false)).toEqual([4]);
    expect(reduce('none', false)).toEqual([1, 1, 2]);
  });

  it('weights before reducing, and the mean still counts zero-weight elements', () => {
    expect(reduce('mean', true)).toEqual([1]);
    expect(reduce('sum', true)).toEqual([3]);
    expect(reduce('none', true)).toEqual([1, 0, 2]);
  });

  it("divides the weighted sum by avg_factor + float32 eps with 'mean', and leaves 'none' unreduced", () => {
    expect(FLOAT32_EPS).toBeCloseTo(1.1920929e-7, 13);
    expect(reduce('mean', true, 2)[0]).toBeCloseTo(3 / (2 + 1.1920929e-7), 6);
    expect(reduce('none', true, 2)).toEqual([1, 0, 2]);
    // avg_factor 0 (no positives) with a zero loss gives 0, not NaN.
    expect(valuesOf(() => weightReduceLoss(tf.zeros([3]), undefined, 'mean', 0))).toEqual([0]);
  });

  it("rejects avg_factor with reduction 'sum', as mmdet does", () => {
    const before = tf.memory().numTensors;
    const l = loss();
    expect(() => weightReduceLoss(l, undefined, 'sum', 2)).toThrow(DetlabError);
    expect(() => weightReduceLoss(l, undefined, 'sum', 2)).toThrow("avg_factor can not be used with reduction='sum'");
    l.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('broadcasts a weight [N, 1] over the classes of a loss [N, C]', () => {
    const out = valuesOf(() => weightReduceLoss(tf.ones([2, 3]), tf.tensor2d([[2], [3]]), 'none'));
    expect(out).toEqual([2, 2, 2, 3, 3, 3]);
  });
});

describe('resolveReduction', () => {
  it('prefers the override and rejects a name that is not a reduction', () => {
    expect(resolveReduction('L', 'mean', undefined)).toBe('mean');
    expect(resolveReduction('L', 'mean', 'none')).toBe('none');
    expect(() => resolveReduction('L1Loss', 'mean', 'avg' as Reduction)).toThrow('L1Loss.forward: reductionOverride must be one of none, mean, sum or undefined, got "avg"');
  });
});

describe('absWithSignGrad', () => {
  it('is |x| with gradient sign(x), 0 at x = 0 as in PyTorch', () => {
    expect(valuesOf(() => absWithSignGrad(tf.tensor1d([-2, 0, 3])))).toEqual([2, 0, 3]);
    expect(gradOf(absWithSignGrad, [-2, 0, 3])).toEqual([-1, 0, 1]);
  });
});

describe('stableSoftplus', () => {
  const xs = [-30, -15, -5, -0.5, 0, 0.5, 5, 15, 30, 100];

  it('equals log(1 + e^x) without overflow or loss of small values', () => {
    const out = valuesOf(() => stableSoftplus(tf.tensor1d(xs)));
    const expected = xs.map((x) => (x > 20 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))));
    expect(maxRelativeError(out, expected, 0)).toBeLessThan(1e-5);
  });

  it('has the gradient sigmoid(x), 0.5 at x = 0', () => {
    const expected = xs.map((x) => 1 / (1 + Math.exp(-x)));
    expect(maxRelativeError(gradOf(stableSoftplus, xs), expected, 1e-6)).toBeLessThan(1e-5);
  });
});

describe('binaryCrossEntropyWithLogits', () => {
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

  it('equals −(t·log σ(x) + (1 − t)·log(1 − σ(x))), with pos_weight on the first term', () => {
    const x = [0, 2, -1.5, 3];
    const t = [1, 0.25, 0, 1];
    const pw = [1, 2, 3, 0.5];
    const plain = x.map((xi, i) => -(t[i]! * Math.log(sigmoid(xi)) + (1 - t[i]!) * Math.log(1 - sigmoid(xi))));
    const weighted = x.map((xi, i) => -(pw[i]! * t[i]! * Math.log(sigmoid(xi)) + (1 - t[i]!) * Math.log(1 - sigmoid(xi))));
    expect(maxRelativeError(valuesOf(() => binaryCrossEntropyWithLogits(tf.tensor1d(x), tf.tensor1d(t))), plain)).toBeLessThan(1e-6);
    expect(maxRelativeError(valuesOf(() => binaryCrossEntropyWithLogits(tf.tensor1d(x), tf.tensor1d(t), tf.tensor1d(pw))), weighted)).toBeLessThan(1e-6);
  });

  it('has the gradient σ(x) − t with respect to the logits, also at x = 0', () => {
    const t = [1, 0, 0.5];
    const grad = gradOf((x) => binaryCrossEntropyWithLogits(x, tf.tensor1d(t)), [0, 0, 1]);
    expect(maxRelativeError(grad, [0.5 - 1, 0.5, sigmoid(1) - 0.5], 1e-6)).toBeLessThan(1e-6);
    const numeric = numericGradient((x) => tf.sum(binaryCrossEntropyWithLogits(x, tf.tensor1d(t))), tf.tensor1d([0, 0, 1]), 1e-3);
    expect(maxRelativeError(grad, numeric, 1e-3)).toBeLessThan(1e-3);
  });
});

describe('labelsToOneHot', () => {
  it('gives a zero row for the background label C and for ignore_index -100', () => {
    expect(valuesOf(() => labelsToOneHot(tf.tensor1d([0, 2, 3, -100], 'int32'), 3))).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  });
});
