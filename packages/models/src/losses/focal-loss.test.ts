import * as tf from '@tensorflow/tfjs-core';
import { ConfigValidationError, MODELS } from '@detlab/core';
import { initBackend, maxRelativeError, numericGradient } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { FocalLoss, type FocalLossOptions } from './focal-loss.js';
import type { LossForwardOptions } from './utils.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The paper's FL = −α_t (1 − p_t)ᵞ log p_t for one logit and a 0/1 target (p_t in the paper's sense). */
function paperFocal(x: number, t: number, alpha = 0.25, gamma = 2): number {
  const p = sigmoid(x);
  const pt = t === 1 ? p : 1 - p;
  const alphaT = t === 1 ? alpha : 1 - alpha;
  return -alphaT * (1 - pt) ** gamma * Math.log(pt);
}

// Two anchors, three classes: anchor 0 is class 1, anchor 1 is background (label 3 = num_classes).
const LOGITS = [
  [0.3, -1.2, 2.0],
  [-0.7, 1.5, -2.5],
];
const LABELS = [1, 3];
const ONE_HOT = [
  [0, 1, 0],
  [0, 0, 0],
];
const EXPECTED = LOGITS.map((row, i) => row.map((x, c) => paperFocal(x, ONE_HOT[i]![c]!)));
const EXPECTED_SUM = EXPECTED.flat().reduce((a, b) => a + b, 0);

/** loss.forward on fresh tensors, values read outside tidy; frees everything. */
function run(options: FocalLossOptions, logits: number[][], labels: number[] | number[][], call: (w: () => tf.Tensor) => LossForwardOptions = () => ({})): number[] {
  const loss = new FocalLoss(options);
  const out = tf.tidy(() => {
    const target = Array.isArray(labels[0]) ? tf.tensor2d(labels as number[][]) : tf.tensor1d(labels as number[], 'int32');
    return loss.forward(tf.tensor2d(logits), target, call(() => tf.tensor1d([2, 0.5])));
  });
  const values = Array.from(out.dataSync());
  out.dispose();
  return values;
}

describe('FocalLoss', () => {
  it('gives 0.25·0.5²·ln 2 = 0.04332 for logit 0 of a positive, and 0.75·0.5²·ln 2 for a negative', () => {
    expect(run({ reduction: 'sum' }, [[0]], [0])[0]).toBeCloseTo(0.25 * 0.25 * Math.LN2, 6);
    expect(run({ reduction: 'sum' }, [[0]], [0])[0]).toBeCloseTo(0.04332, 5);
    expect(run({ reduction: 'sum' }, [[0]], [1])[0]).toBeCloseTo(0.75 * 0.25 * Math.LN2, 6);
  });

  it("matches the paper's formula per element, with label num_classes as background", () => {
    const out = run({ reduction: 'none' }, LOGITS, LABELS);
    expect(maxRelativeError(out, EXPECTED.flat(), 1e-4)).toBeLessThan(1e-5);
  });

  it('takes a float one-hot target of the same shape as labels', () => {
    expect(maxRelativeError(run({ reduction: 'none' }, LOGITS, ONE_HOT), EXPECTED.flat(), 1e-4)).toBeLessThan(1e-5);
  });

  it('uses gamma and alpha from the options', () => {
    const out = run({ reduction: 'none', gamma: 1.5, alpha: 0.4 }, LOGITS, LABELS);
    const expected = LOGITS.flatMap((row, i) => row.map((x, c) => paperFocal(x, ONE_HOT[i]![c]!, 0.4, 1.5)));
    expect(maxRelativeError(out, expected, 1e-4)).toBeLessThan(1e-5);
  });

  it('takes probabilities with activated: true, and gives the same loss', () => {
    const probs = LOGITS.map((row) => row.map(sigmoid));
    expect(maxRelativeError(run({ reduction: 'none', activated: true }, probs, LABELS), EXPECTED.flat(), 1e-4)).toBeLessThan(1e-4);
  });

  it('averages over all elements by default, or divides the sum by avg_factor', () => {
    expect(run({}, LOGITS, LABELS)[0]).toBeCloseTo(EXPECTED_SUM / 6, 6);
    expect(run({}, LOGITS, LABELS, () => ({ avgFactor: 1 }))[0]).toBeCloseTo(EXPECTED_SUM / (1 + 1.1920929e-7), 6);
    expect(run({}, LOGITS, LABELS, () => ({ avgFactor: 4 }))[0]).toBeCloseTo(EXPECTED_SUM / 4, 6);
  });

  it('broadcasts a per-anchor weight [N] over the classes; [N, C] and flat [N·C] weights agree', () => {
    const rowWeighted = EXPECTED[0]!.reduce((a, b) => a + b, 0) * 2 + EXPECTED[1]!.reduce((a, b) => a + b, 0) * 0.5;
    const perAnchor = run({ reduction: 'sum' }, LOGITS, LABELS, (w) => ({ weight: w() }));
    const full = run({ reduction: 'sum' }, LOGITS, LABELS, () => ({ weight: tf.tensor2d([[2, 2, 2], [0.5, 0.5, 0.5]]) }));
    const flat = run({ reduction: 'sum' }, LOGITS, LABELS, () => ({ weight: tf.tensor1d([2, 2, 2, 0.5, 0.5, 0.5]) }));
    expect(perAnchor[0]).toBeCloseTo(rowWeighted, 6);
    expect(full[0]).toBeCloseTo(rowWeighted, 6);
    expect(flat[0]).toBeCloseTo(rowWeighted, 6);
  });

  it('rejects a weight that fits neither [N], [N, C] nor N·C elements, naming the shapes', () => {
    expect(() => run({}, LOGITS, LABELS, () => ({ weight: tf.ones([5]) }))).toThrow('FocalLoss.forward: expected weight of shape [2], [2, 3] or [6] for pred [2, 3], got [5]');
  });

  it('applies reductionOverride and multiplies by loss_weight', () => {
    const none = run({ loss_weight: 2 }, LOGITS, LABELS, () => ({ reductionOverride: 'none' }));
    expect(maxRelativeError(none, EXPECTED.flat().map((v) => 2 * v), 1e-4)).toBeLessThan(1e-5);
    expect(run({ loss_weight: 2 }, LOGITS, LABELS, () => ({ reductionOverride: 'sum' }))[0]).toBeCloseTo(2 * EXPECTED_SUM, 5);
  });

  it('has the gradient of central differences w.r.t. the logits, including at logit 0', () => {
    const loss = new FocalLoss({ reduction: 'sum' });
    const logits = tf.tensor2d([
      [0, -1.2, 2.0],
      [-0.7, 1.5, 0],
    ]);
    const labels = tf.tensor1d(LABELS, 'int32');
    const f = (x: tf.Tensor) => loss.forward(x, labels, { weight: tf.tensor1d([2, 0.5]) }) as tf.Scalar;
    const analytic = tf.grad(f)(logits);
    const numeric = numericGradient(f, logits, 1e-3);
    expect(maxRelativeError(analytic.dataSync(), numeric, 1e-2)).toBeLessThan(2e-3);
    tf.dispose([logits, labels, analytic]);
  });

  it('leaves no tensor behind but its result', () => {
    const loss = new FocalLoss();
    const [logits, labels, weight] = [tf.tensor2d(LOGITS), tf.tensor1d(LABELS, 'int32'), tf.tensor1d([1, 1])];
    const before = tf.memory().numTensors;
    const out = loss.forward(logits, labels, { weight, avgFactor: 1 });
    expect(tf.memory().numTensors).toBe(before + 1);
    const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => loss.forward(x, labels) as tf.Scalar)(logits));
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([out, grad, logits, labels, weight]);
  });

  it('is registered as FocalLoss with mmdet defaults', () => {
    const loss = MODELS.build<FocalLoss>({ type: 'FocalLoss' });
    expect(loss).toBeInstanceOf(FocalLoss);
    expect(loss.options).toEqual({ use_sigmoid: true, gamma: 2, alpha: 0.25, activated: false, reduction: 'mean', loss_weight: 1 });
    expect(loss.parameterCount()).toBe(0);
  });

  it('rejects use_sigmoid: false and unknown reductions with their config paths', () => {
    const build = (extra: Record<string, unknown>) => () => MODELS.build({ type: 'FocalLoss', ...extra }, { path: 'model.bbox_head.loss_cls' });
    expect(build({ use_sigmoid: false })).toThrow(ConfigValidationError);
    expect(build({ use_sigmoid: false })).toThrow(/model\.bbox_head\.loss_cls\.use_sigmoid: only the sigmoid focal loss exists/);
    expect(build({ reduction: 'avg' })).toThrow(/model\.bbox_head\.loss_cls\.reduction: expected one of/);
  });
});
