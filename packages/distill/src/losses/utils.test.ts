import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { softenedKL, stopGradient } from './utils.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('stopGradient', () => {
  it('passes values through and sends zero gradient back', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const y = stopGradient(x);
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(stopGradient(v), v)) as tf.Scalar)(x);
    expect(Array.from(g.dataSync())).toEqual([1, -2, 3]); // d(c·v)/dv with c = v held constant
    tf.dispose([x, y, g]);
  });
});

describe('softenedKL', () => {
  it('gives the terms p_T·ln(p_T / p_S): [0.498724, −0.170911] for s = [0, 0], t = [2, 0], τ = 1', () => {
    const [s, t] = [tf.tensor2d([[0, 0]]), tf.tensor2d([[2, 0]])];
    const terms = softenedKL(s, t, 1);
    const v = terms.dataSync();
    expect(v[0]).toBeCloseTo(0.498724, 5);
    expect(v[1]).toBeCloseTo(-0.170911, 5);
    tf.dispose([s, t, terms]);
  });

  it('gives 0, not NaN, where the teacher probability underflows', () => {
    const [s, t] = [tf.tensor2d([[0, 0]]), tf.tensor2d([[200, 0]])];
    const terms = softenedKL(s, t, 1);
    expect(Array.from(terms.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([s, t, terms]);
  });
});
