import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { initBackend, maxRelativeError, numericGradient } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { GIoULoss, type GIoULossOptions } from './giou-loss.js';
import type { LossForwardOptions } from './utils.js';

beforeAll(async () => {
  await initBackend('wasm');
});

// Hand-computed pairs (pred, target) in x1y1x2y2 and their 1 − GIoU:
const PAIRS: Array<{ name: string; pred: number[]; target: number[]; loss: number }> = [
  // identical: IoU 1, C = A∪B.
  { name: 'identical', pred: [0, 0, 2, 2], target: [0, 0, 2, 2], loss: 0 },
  // unit boxes side by side: IoU 0, union 2, enclosing 2 × 1 = 2, so GIoU 0.
  { name: 'touching', pred: [0, 0, 1, 1], target: [1, 0, 2, 1], loss: 1 },
  // 2×2 boxes offset by (1, 1): overlap 1, union 7, enclosing 9; GIoU = 1/7 − 2/9 = −5/63.
  { name: 'partial overlap', pred: [0, 0, 2, 2], target: [1, 1, 3, 3], loss: 1 + 5 / 63 },
  // unit boxes at (0, 0) and (2, 2): IoU 0, union 2, enclosing 9; GIoU = −7/9 < 0.
  { name: 'disjoint', pred: [0, 0, 1, 1], target: [2, 2, 3, 3], loss: 1 + 7 / 9 },
];
const LOSSES = PAIRS.map((p) => p.loss);

/** loss.forward on the four pairs, values read outside tidy; frees everything. */
function run(options: GIoULossOptions, call: () => LossForwardOptions = () => ({})): number[] {
  const loss = new GIoULoss(options);
  const out = tf.tidy(() => loss.forward(tf.tensor2d(PAIRS.map((p) => p.pred)), tf.tensor2d(PAIRS.map((p) => p.target)), call()));
  const values = Array.from(out.dataSync());
  out.dispose();
  return values;
}

describe('GIoULoss', () => {
  it('gives 1 − GIoU for identical, touching, partially overlapping and disjoint boxes', () => {
    const out = run({ reduction: 'none' });
    PAIRS.forEach((pair, i) => expect(out[i], pair.name).toBeCloseTo(pair.loss, 5));
  });

  it('gives loss 1, not NaN, for two identical empty boxes (union and enclosing area clamped at eps)', () => {
    const loss = new GIoULoss({ reduction: 'none' });
    const out = tf.tidy(() => loss.forward(tf.tensor2d([[1, 1, 1, 1]]), tf.tensor2d([[1, 1, 1, 1]])));
    expect(Array.from(out.dataSync())).toEqual([1]);
    out.dispose();
  });

  it('averages over boxes by default and divides the weighted sum by avg_factor', () => {
    const sum = LOSSES.reduce((a, b) => a + b, 0);
    expect(run({})[0]).toBeCloseTo(sum / 4, 5);
    const weights = [0.5, 1, 2, 0.25];
    const weighted = LOSSES.reduce((a, l, i) => a + l * weights[i]!, 0);
    expect(run({}, () => ({ weight: tf.tensor1d(weights), avgFactor: 1.0 }))[0]).toBeCloseTo(weighted, 5);
    expect(run({}, () => ({ weight: tf.tensor1d(weights), avgFactor: 3.75 }))[0]).toBeCloseTo(weighted / 3.75, 5);
  });

  it('averages a weight [N, 4] over the coordinates first', () => {
    const perBox = [0.5, 1, 2, 0.25];
    const perCoordinate = perBox.map((w) => [w - 0.1, w + 0.1, w - 0.3, w + 0.3]);
    const expected = run({ reduction: 'sum' }, () => ({ weight: tf.tensor1d(perBox) }))[0]!;
    expect(run({ reduction: 'sum' }, () => ({ weight: tf.tensor2d(perCoordinate) }))[0]).toBeCloseTo(expected, 5);
  });

  it('applies reductionOverride and loss_weight', () => {
    const out = run({ loss_weight: 2 }, () => ({ reductionOverride: 'none' }));
    expect(maxRelativeError(out, LOSSES.map((l) => 2 * l))).toBeLessThan(1e-5);
    expect(run({ loss_weight: 2, reduction: 'none' }, () => ({ reductionOverride: 'sum' }))[0]).toBeCloseTo(2 * LOSSES.reduce((a, b) => a + b), 5);
  });

  it('returns Σ pred·weight (0, unscaled, still connected to pred) when no weight is positive, as mmdet does', () => {
    const loss = new GIoULoss({ loss_weight: 2, reduction: 'none' });
    const pred = tf.tensor2d(PAIRS.map((p) => p.pred));
    const target = tf.tensor2d(PAIRS.map((p) => p.target));
    const weight = tf.zeros([4]);
    const out = loss.forward(pred, target, { weight });
    expect(out.shape).toEqual([]);
    expect(out.dataSync()[0]).toBe(0);
    const grad = tf.grad((x: tf.Tensor) => loss.forward(x, target, { weight }) as tf.Scalar)(pred);
    expect(grad.shape).toEqual([4, 4]);
    expect(Array.from(grad.dataSync()).every((g) => g === 0)).toBe(true);
    tf.dispose([pred, target, weight, out, grad]);
  });

  it('has the gradient of central differences w.r.t. pred, for overlapping and disjoint boxes', () => {
    const loss = new GIoULoss({ reduction: 'sum' });
    // Coordinates chosen so no max/min compares equal values (their gradient kinks).
    const pred = tf.tensor2d([
      [0.1, 0.2, 2.3, 2.1],
      [0.3, 0.1, 1.2, 0.9],
      [1.4, 0.6, 3.1, 2.8],
    ]);
    const target = tf.tensor2d([
      [1.0, 0.9, 3.2, 3.4],
      [2.1, 2.3, 3.0, 3.3],
      [0.2, 0.4, 2.2, 2.5],
    ]);
    const weight = tf.tensor1d([1, 0.5, 2]);
    const f = (x: tf.Tensor) => loss.forward(x, target, { weight }) as tf.Scalar;
    const analytic = tf.grad(f)(pred);
    // h = 1e-2: a loss near 3 in float32 makes smaller steps mostly rounding noise.
    const numeric = numericGradient(f, pred, 1e-2);
    expect(maxRelativeError(analytic.dataSync(), numeric, 1e-2)).toBeLessThan(1e-3);
    tf.dispose([pred, target, weight, analytic]);
  });

  it('leaves no tensor behind but its result', () => {
    const loss = new GIoULoss();
    const pred = tf.tensor2d(PAIRS.map((p) => p.pred));
    const target = tf.tensor2d(PAIRS.map((p) => p.target));
    const weight = tf.ones([4]);
    const before = tf.memory().numTensors;
    const out = loss.forward(pred, target, { weight, avgFactor: 1 });
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([out, pred, target, weight]);
  });

  it('rejects boxes that are not [N, 4] pairs of one shape, naming the shapes', () => {
    const loss = new GIoULoss();
    const [a, b] = [tf.zeros([3, 4]), tf.zeros([2, 4])];
    expect(() => loss.forward(a, b)).toThrow('GIoULoss.forward: expected pred and target of the same shape [N, 4], got [3, 4] and [2, 4]');
    tf.dispose([a, b]);
  });

  it('is registered as GIoULoss with mmdet defaults', () => {
    const loss = MODELS.build<GIoULoss>({ type: 'GIoULoss', loss_weight: 2.0 });
    expect(loss).toBeInstanceOf(GIoULoss);
    expect(loss.options).toEqual({ eps: 1e-6, reduction: 'mean', loss_weight: 2 });
  });
});
