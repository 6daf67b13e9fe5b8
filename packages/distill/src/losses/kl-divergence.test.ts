import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { initBackend, maxRelativeError, numericGradient } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { KLDivergence, type KLDivergenceOptions } from './kl-divergence.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function run(options: KLDivergenceOptions, student: number[][], teacher: number[][]): number[] {
  const loss = new KLDivergence(options);
  const out = tf.tidy(() => loss.forward(tf.tensor2d(student), tf.tensor2d(teacher)));
  const values = Array.from(out.dataSync());
  out.dispose();
  return values;
}

// s = [0, 0], t = [2, 0] at τ = 1: p_t = [0.880797, 0.119203], terms p_t·ln(p_t / 0.5) = [0.498724, −0.170911],
// KL = 0.327813. At τ = 4: terms [0.136362, −0.106062], KL = 0.030300, × τ² = 16 → 0.484798.
const ROWS = { student: [[0, 0], [0, 0]], teacher: [[2, 0], [0, 0]] }; // second row uniform: KL 0

describe('KLDivergence', () => {
  it('has MMRazor defaults: tau 1, batchmean, loss_weight 1, teacher_detach', () => {
    expect(MODELS.build<KLDivergence>({ type: 'KLDivergence' }).options).toEqual({ tau: 1, reduction: 'batchmean', loss_weight: 1, teacher_detach: true });
  });

  it('reduces as F.kl_div: batchmean Σ/N, sum Σ, mean Σ/(N·C), none the terms', () => {
    expect(run({}, ROWS.student, ROWS.teacher)[0]).toBeCloseTo(0.327813 / 2, 5);
    expect(run({ reduction: 'sum' }, ROWS.student, ROWS.teacher)[0]).toBeCloseTo(0.327813, 5);
    expect(run({ reduction: 'mean' }, ROWS.student, ROWS.teacher)[0]).toBeCloseTo(0.327813 / 4, 5);
    const terms = run({ reduction: 'none' }, ROWS.student, ROWS.teacher);
    [0.498724, -0.170911, 0, 0].forEach((v, i) => expect(terms[i]).toBeCloseTo(v, 5));
  });

  it('scales by τ² and loss_weight', () => {
    expect(run({ tau: 4, reduction: 'sum' }, [[0, 0]], [[2, 0]])[0]).toBeCloseTo(0.484798, 5);
    expect(run({ tau: 4, reduction: 'sum', loss_weight: 0.5 }, [[0, 0]], [[2, 0]])[0]).toBeCloseTo(0.242399, 5);
  });

  it('detaches the teacher by default, and lets its gradient through with teacher_detach false', () => {
    const [s, t] = [tf.tensor2d([[0.5, -1]]), tf.tensor2d([[2, 0]])];
    const gradT = (options: KLDivergenceOptions) => {
      const loss = new KLDivergence(options);
      const g = tf.grad((x: tf.Tensor) => loss.forward(s, x) as tf.Scalar)(t);
      const values = Array.from(g.dataSync());
      g.dispose();
      return values;
    };
    expect(gradT({})).toEqual([0, 0]);
    const loss = new KLDivergence({ teacher_detach: false });
    const f = (x: tf.Tensor) => loss.forward(s, x) as tf.Scalar;
    expect(maxRelativeError(gradT({ teacher_detach: false }), numericGradient(f, t, 1e-2), 0.05)).toBeLessThan(1e-2);
    tf.dispose([s, t]);
  });

  it('gives the student the gradient of finite differences', () => {
    const loss = new KLDivergence({ tau: 3, reduction: 'batchmean' });
    const [s, t] = [tf.tensor2d([[0.3, -1, 2], [1, 0, -0.5]]), tf.tensor2d([[2, 0, 1], [-1, 3, 0]])];
    const f = (x: tf.Tensor) => loss.forward(x, t) as tf.Scalar;
    const grad = tf.grad(f)(s);
    expect(maxRelativeError(grad.dataSync(), numericGradient(f, s, 1e-2), 0.05)).toBeLessThan(1e-2);
    tf.dispose([s, t, grad]);
  });

  it('leaves no tensor behind but its result', () => {
    const [s, t] = [tf.tensor2d([[0, 0]]), tf.tensor2d([[2, 0]])];
    const before = tf.memory().numTensors;
    const out = new KLDivergence({ reduction: 'none' }).forward(s, t);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([out, s, t]);
  });

  it('reports a bad reduction with its config path', () => {
    const build = () => MODELS.build({ type: 'KLDivergence', reduction: 'avg' }, { path: 'model.distiller.distill_losses.loss_kl' });
    expect(build).toThrow(/model\.distiller\.distill_losses\.loss_kl\.reduction: /);
  });
});
