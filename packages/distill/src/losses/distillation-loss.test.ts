import * as tf from '@tensorflow/tfjs-core';
import { ConfigValidationError, MODELS } from '@detlab/core';
import { initBackend, maxRelativeError, numericGradient } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { DistillationLoss, type DistillationLossOptions } from './distillation-loss.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function value(options: DistillationLossOptions, student: number[][], teacher: number[][]): number {
  const loss = new DistillationLoss(options);
  const out = tf.tidy(() => loss.forward(tf.tensor2d(student), tf.tensor2d(teacher)));
  const result = out.dataSync()[0]!;
  out.dispose();
  return result;
}

// Two classes, student s = [0, 0] (p_s = [0.5, 0.5]), teacher t = [2, 0].
// T = 1: p_t = [e²/(e²+1), 1/(e²+1)] = [0.880797, 0.119203];
//   KL = 0.880797·ln(0.880797/0.5) + 0.119203·ln(0.119203/0.5) = 0.880797·0.566219 + 0.119203·(−1.433781)
//      = 0.498724 − 0.170911 = 0.327813 (× T² = 1).
// T = 4: t / T = [0.5, 0], p_t = [0.622459, 0.377541];
//   KL = 0.622459·0.219070 + 0.377541·(−0.280930) = 0.136362 − 0.106062 = 0.030300; × T² = 16 → 0.484798.
const KL_T1 = 0.327813;
const KL_T4_SCALED = 0.484798;

describe('DistillationLoss', () => {
  it('is 0 when teacher and student agree (uniform and peaked rows alike)', () => {
    expect(value({ temperature: 1 }, [[0, 0, 0]], [[0, 0, 0]])).toBeCloseTo(0, 6);
    expect(value({ temperature: 4 }, [[5, -1, 2]], [[5, -1, 2]])).toBeCloseTo(0, 6);
    // A constant shift of the logits leaves the softmax unchanged.
    expect(value({ temperature: 4 }, [[1, 1]], [[7, 7]])).toBeCloseTo(0, 6);
  });

  it('matches the hand-computed KL of a peaked teacher at T = 1 and T = 4 (scaled by T²)', () => {
    expect(value({ temperature: 1 }, [[0, 0]], [[2, 0]])).toBeCloseTo(KL_T1, 5);
    expect(value({ temperature: 4 }, [[0, 0]], [[2, 0]])).toBeCloseTo(KL_T4_SCALED, 5);
    expect(value({}, [[0, 0]], [[2, 0]])).toBeCloseTo(KL_T4_SCALED, 5); // default T = 4
  });

  it('averages over rows (batchmean): Σ KL / N, not / (N·C)', () => {
    // Rows: the peaked case (0.327813) and an agreeing row (0): (0.327813 + 0) / 2.
    expect(value({ temperature: 1 }, [[0, 0], [3, 1]], [[2, 0], [3, 1]])).toBeCloseTo(KL_T1 / 2, 5);
    // The same row twice averages to itself.
    expect(value({ temperature: 1 }, [[0, 0], [0, 0]], [[2, 0], [2, 0]])).toBeCloseTo(KL_T1, 5);
  });

  it('scales by loss_weight', () => {
    expect(value({ temperature: 1, loss_weight: 0.5 }, [[0, 0]], [[2, 0]])).toBeCloseTo(KL_T1 / 2, 5);
    expect(value({ temperature: 4, loss_weight: 0 }, [[0, 0]], [[2, 0]])).toBe(0);
  });

  it('sends no gradient to the teacher logits', () => {
    const loss = new DistillationLoss({ temperature: 4 });
    const [student, teacher] = [tf.tensor2d([[0.3, -1, 2], [1, 0, -0.5]]), tf.tensor2d([[2, 0, 1], [-1, 3, 0]])];
    const grad = tf.grad((t: tf.Tensor) => loss.forward(student, t) as tf.Scalar)(teacher);
    expect(Array.from(grad.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    tf.dispose([student, teacher, grad]);
  });

  it('gives the student the gradient of finite differences', () => {
    const loss = new DistillationLoss({ temperature: 2, loss_weight: 0.7 });
    const [student, teacher] = [tf.tensor2d([[0.3, -1, 2], [1, 0, -0.5]]), tf.tensor2d([[2, 0, 1], [-1, 3, 0]])];
    const f = (s: tf.Tensor) => loss.forward(s, teacher) as tf.Scalar;
    const grad = tf.grad(f)(student);
    const analytic = grad.dataSync();
    expect(Math.max(...Array.from(analytic, Math.abs))).toBeGreaterThan(0.01);
    expect(maxRelativeError(analytic, numericGradient(f, student, 1e-2), 0.05)).toBeLessThan(1e-2);
    tf.dispose([student, teacher, grad]);
  });

  it('leaves no tensor behind but its result', () => {
    const [student, teacher] = [tf.tensor2d([[0, 0]]), tf.tensor2d([[2, 0]])];
    const before = tf.memory().numTensors;
    const out = new DistillationLoss().forward(student, teacher);
    expect(tf.memory().numTensors).toBe(before + 1);
    const grad = tf.grad((s: tf.Tensor) => new DistillationLoss().forward(s, teacher) as tf.Scalar)(student);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([out, grad, student, teacher]);
  });

  it('rejects logits of different shapes, naming both', () => {
    const [a, b] = [tf.zeros([2, 3]), tf.zeros([2, 4])];
    expect(() => new DistillationLoss().forward(a, b)).toThrow(
      'DistillationLoss.forward: expected student and teacher logits of one shape [N, C], got [2, 3] and [2, 4]',
    );
    tf.dispose([a, b]);
  });

  it('is registered as DistillationLoss and reports a bad option with its config path', () => {
    const loss = MODELS.build<DistillationLoss>({ type: 'DistillationLoss', temperature: 4 }, { path: 'kd_loss' });
    expect(loss).toBeInstanceOf(DistillationLoss);
    expect(loss.options).toEqual({ temperature: 4, loss_weight: 1, num_classes: null });
    const build = (extra: Record<string, unknown>) => () => MODELS.build({ type: 'DistillationLoss', ...extra }, { path: 'kd_loss' });
    expect(build({ temperature: -1 })).toThrow(ConfigValidationError);
    expect(build({ temperature: -1 })).toThrow(/kd_loss\.temperature: /);
    expect(build({ temprature: 4 })).toThrow(/kd_loss.*temprature/);
  });
});
