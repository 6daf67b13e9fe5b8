import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { batchNormTrain } from './batch-norm-train.js';
import { batchStatistics } from './channel-sums.js';

/** The same normalisation written op by op, differentiated by tfjs: the independent reference. */
function plain(x: tf.Tensor4D, eps: number, weight?: tf.Tensor1D, bias?: tf.Tensor1D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  let y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps)));
  if (weight) y = tf.mul(y, weight);
  if (bias) y = tf.add(y, bias);
  return y as tf.Tensor4D;
}

function fused(x: tf.Tensor4D, eps: number, weight?: tf.Tensor1D, bias?: tf.Tensor1D): tf.Tensor4D {
  const { mean, variance } = batchStatistics(x);
  return batchNormTrain(x, mean, variance, eps, weight, bias);
}

/** Values and gradients (x, then weight and bias when given) of Σ y·r. */
function valueAndGrads(norm: typeof plain, affine: boolean): number[][] {
  return tf.tidy(() => {
    const x = tf.randomNormal([2, 5, 4, 3], 0.7, 2, 'float32', 3) as tf.Tensor4D;
    const r = tf.randomNormal([2, 5, 4, 3], 0, 1, 'float32', 4);
    const w = tf.tensor1d([0.5, -1.5, 2]);
    const b = tf.tensor1d([0.1, 0.2, -0.3]);
    const f = (...t: tf.Tensor[]) => tf.sum(tf.mul(norm(t[0] as tf.Tensor4D, 1e-5, t[1] as tf.Tensor1D | undefined, t[2] as tf.Tensor1D | undefined), r));
    const inputs = affine ? [x, w, b] : [x];
    const y = norm(x, 1e-5, affine ? w : undefined, affine ? b : undefined);
    return [Array.from(y.dataSync()), ...tf.grads(f)(inputs).map((g) => Array.from(g.dataSync()))];
  });
}

function maxDiff(a: number[], b: number[]): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe.each(['wasm', 'cpu'] as const)('batchNormTrain on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it.each([true, false])('gives the values and gradients of the op-by-op formula (affine: %s)', (affine) => {
    const want = valueAndGrads(plain, affine);
    const got = valueAndGrads(fused, affine);
    expect(got.length).toBe(want.length);
    want.forEach((w, i) => expect(maxDiff(got[i]!, w)).toBeLessThan(1e-4));
    // Σ over a channel of dx is 0 for any upstream gradient (the mean is subtracted): a property, not a copy.
    const dx = got[1]!;
    for (let c = 0; c < 3; c += 1) expect(Math.abs(dx.filter((_, i) => i % 3 === c).reduce((s, v) => s + v, 0))).toBeLessThan(1e-3);
  });

  it('leaves no tensor behind after a gradient step', () => {
    const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const w = tf.variable(tf.ones([3]) as tf.Tensor1D);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(fused(x, 1e-5, w as unknown as tf.Tensor1D))), [w]);
      tf.dispose([value, grads]);
    };
    step();
    const before = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });
});
