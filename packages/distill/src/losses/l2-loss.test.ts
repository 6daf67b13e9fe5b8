import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { initBackend, maxRelativeError, numericGradient } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { L2Loss, type L2LossOptions } from './l2-loss.js';

beforeAll(async () => {
  await initBackend('wasm');
});

// NHWC [2, 1, 1, 2]: student samples [3, 4] and [0, 1], teacher samples [0, 1] and [1, 0].
const S = [3, 4, 0, 1];
const T = [0, 1, 1, 0];
function run(options: L2LossOptions): number {
  const loss = new L2Loss(options);
  return tf.tidy(() => loss.forward(tf.tensor4d(S, [2, 1, 1, 2]), tf.tensor4d(T, [2, 1, 1, 2])).dataSync()[0]!);
}

describe('L2Loss', () => {
  it('has MMRazor defaults', () => {
    expect(MODELS.build<L2Loss>({ type: 'L2Loss' }).options).toEqual({ loss_weight: 1, normalize: true, mult: 1, div_element: false, dist: false });
  });

  it('without normalize: Σ(S − T)² = 9 + 9 + 1 + 1 = 20, ÷ N = 10, ÷ numel = 5, or √20 with dist', () => {
    expect(run({ normalize: false })).toBeCloseTo(10, 5);
    expect(run({ normalize: false, div_element: true })).toBeCloseTo(5, 5);
    expect(run({ normalize: false, dist: true })).toBeCloseTo(Math.sqrt(20), 5);
  });

  it('normalizes each sample to unit norm, then × mult and × loss_weight', () => {
    // [3, 4] / 5 = [0.6, 0.8] vs [0, 1]: 0.36 + 0.04 = 0.4; [0, 1] vs [1, 0]: 2. Σ 2.4, ÷ N = 1.2.
    expect(run({})).toBeCloseTo(1.2, 5);
    expect(run({ mult: 2 })).toBeCloseTo(4.8, 4); // squares × 4
    expect(run({ loss_weight: 10 })).toBeCloseTo(12, 4);
  });

  it('gives the student the gradient of finite differences and the teacher none', () => {
    const loss = new L2Loss({ mult: 2 });
    const [s, t] = [tf.tensor4d([0.3, -1, 2, 1, 0.5, -0.5, 1, 2], [2, 2, 1, 2]), tf.tensor4d([2, 0, 1, -1, 3, 0, 1, 1], [2, 2, 1, 2])];
    const f = (x: tf.Tensor) => loss.forward(x, t) as tf.Scalar;
    const [gs, gt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss.forward(a, b) as tf.Scalar)([s, t]);
    expect(maxRelativeError(gs!.dataSync(), numericGradient(f, s, 1e-2), 0.05)).toBeLessThan(1e-2);
    expect(Array.from(gt!.dataSync()).every((g) => g === 0)).toBe(true);
    tf.dispose([s, t, gs!, gt!]);
  });

  it('leaves no tensor behind but its result, and rejects different shapes', () => {
    const [s, t] = [tf.tensor4d(S, [2, 1, 1, 2]), tf.tensor4d(T, [2, 1, 1, 2])];
    const before = tf.memory().numTensors;
    const out = new L2Loss().forward(s, t);
    expect(tf.memory().numTensors).toBe(before + 1);
    const other = tf.zeros([2, 1, 2, 1]);
    expect(() => new L2Loss().forward(s, other)).toThrow('L2Loss.forward: expected student and teacher features of one shape [N, H, W, C], got [2, 1, 1, 2] and [2, 1, 2, 1]');
    tf.dispose([out, s, t, other]);
  });

  it('reports a bad option with its config path', () => {
    expect(() => MODELS.build({ type: 'L2Loss', normalise: true }, { path: 'kd_loss' })).toThrow(/kd_loss.*normalise/);
  });
});
