import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { initBackend, maxRelativeError, numericGradient } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { SmoothL1Loss, type SmoothL1LossOptions } from './smooth-l1-loss.js';
import type { LossForwardOptions } from './utils.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** mmdet's piecewise definition, for reference values: 0.5·d²/β below β, d − 0.5·β from β on. */
const piecewise = (diff: number, beta: number) => (Math.abs(diff) < beta ? (0.5 * diff * diff) / beta : Math.abs(diff) - 0.5 * beta);

const DIFFS = [0, 0.5, -0.8, 1, 2, -3, 0.05];

function run(options: SmoothL1LossOptions, call: () => LossForwardOptions = () => ({})): number[] {
  const loss = new SmoothL1Loss(options);
  const out = tf.tidy(() => loss.forward(tf.tensor1d(DIFFS.map((d) => d + 1)), tf.ones([DIFFS.length]), call()));
  const values = Array.from(out.dataSync());
  out.dispose();
  return values;
}

describe('SmoothL1Loss', () => {
  it('is quadratic below beta and linear above, continuous at beta (beta 1: 0.125, 0.5, 1.5, 2.5)', () => {
    const out = run({ reduction: 'none' });
    expect(out[1]).toBeCloseTo(0.125, 6);
    expect(out[3]).toBeCloseTo(0.5, 6);
    expect(out[4]).toBeCloseTo(1.5, 6);
    expect(out[5]).toBeCloseTo(2.5, 6);
    expect(maxRelativeError(out, DIFFS.map((d) => piecewise(d, 1)), 1e-3)).toBeLessThan(1e-5);
  });

  it('follows beta from the options', () => {
    for (const beta of [0.5, 1 / 9, 2.5]) {
      expect(maxRelativeError(run({ reduction: 'none', beta }), DIFFS.map((d) => piecewise(d, beta)), 1e-3)).toBeLessThan(1e-5);
    }
  });

  it('weights, reduces with avg_factor, honours reductionOverride and loss_weight', () => {
    const w = [1, 2, 0, 1, 0.5, 1, 3];
    const weighted = DIFFS.reduce((a, d, i) => a + piecewise(d, 1) * w[i]!, 0);
    expect(run({}, () => ({ weight: tf.tensor1d(w), avgFactor: 4 }))[0]).toBeCloseTo(weighted / 4, 5);
    expect(run({ loss_weight: 2 }, () => ({ weight: tf.tensor1d(w), reductionOverride: 'sum' }))[0]).toBeCloseTo(2 * weighted, 5);
    expect(run({})[0]).toBeCloseTo(DIFFS.reduce((a, d) => a + piecewise(d, 1), 0) / DIFFS.length, 6);
  });

  it('has the gradient of central differences away from the kinks at 0 and ±beta', () => {
    const loss = new SmoothL1Loss({ beta: 0.5, reduction: 'sum' });
    const target = tf.tensor2d([[0.1, -0.2], [1.5, 0]]);
    const pred = tf.tensor2d([[0.3, -0.5], [0.2, 2.4]]); // diffs 0.2, -0.3 (quadratic), -1.3, 2.4 (linear)
    const f = (x: tf.Tensor) => loss.forward(x, target, { weight: tf.tensor2d([[1, 2], [0.5, 1]]) }) as tf.Scalar;
    const analytic = tf.grad(f)(pred);
    expect(maxRelativeError(analytic.dataSync(), numericGradient(f, pred, 1e-2), 1e-2)).toBeLessThan(1e-3);
    expect(maxRelativeError(analytic.dataSync(), [0.4, -1.2, -0.5, 1], 1e-2)).toBeLessThan(1e-5);
    tf.dispose([target, pred, analytic]);
  });

  it('has gradient 0 where pred equals target and 1 at the kink d = beta, as mmdet', () => {
    const loss = new SmoothL1Loss({ reduction: 'sum' });
    const [pred, target] = [tf.tensor1d([1, 2]), tf.tensor1d([1, 1])];
    const grad = tf.grad((x: tf.Tensor) => loss.forward(x, target) as tf.Scalar)(pred);
    expect(Array.from(grad.dataSync())).toEqual([0, 1]);
    tf.dispose([pred, target, grad]);
  });

  it('returns an unscaled 0 when no weight is positive, and leaves no tensor behind but its result', () => {
    const [pred, target, zeros, w] = [tf.ones([3, 4]), tf.zeros([3, 4]), tf.zeros([3]), tf.ones([3, 4])];
    const before = tf.memory().numTensors;
    const zero = new SmoothL1Loss({ loss_weight: 5 }).forward(pred, target, { weight: zeros });
    const out = new SmoothL1Loss().forward(pred, target, { weight: w, avgFactor: 3 });
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(Array.from(zero.dataSync())).toEqual([0]);
    expect(out.dataSync()[0]).toBeCloseTo(6 / 3, 5);
    tf.dispose([pred, target, zeros, w, zero, out]);
  });

  it('is registered as SmoothL1Loss with mmdet defaults, and rejects beta ≤ 0 with its path', () => {
    const loss = MODELS.build<SmoothL1Loss>({ type: 'SmoothL1Loss' });
    expect(loss).toBeInstanceOf(SmoothL1Loss);
    expect(loss.options).toEqual({ beta: 1, reduction: 'mean', loss_weight: 1 });
    expect(() => MODELS.build({ type: 'SmoothL1Loss', beta: 0 }, { path: 'model.bbox_head.loss_bbox' })).toThrow(/model\.bbox_head\.loss_bbox\.beta: expected > 0, got 0/);
  });
});
