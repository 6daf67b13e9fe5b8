import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, values } from '../__fixtures__/toy.js';
import { clipGradNorm, clipGradSchema, clipGradValue } from './clip-grad.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('clipGradNorm', () => {
  it('scales all gradients by max_norm / (total norm + 1e-6) and returns the total norm before clipping', () => {
    const grads = [tf.tensor1d([3, 4]), tf.tensor1d([12])]; // total 2-norm 13
    const { grads: clipped, totalNorm } = clipGradNorm(grads, 6.5);
    expectClose(values(totalNorm), [13]);
    const coef = 6.5 / (13 + 1e-6);
    expectClose(values(clipped[0]), [3 * coef, 4 * coef]);
    expectClose(values(clipped[1]), [12 * coef]);
    tf.dispose([...grads, ...clipped, totalNorm]);
  });

  it('leaves gradients within the limit unchanged', () => {
    const grads = [tf.tensor1d([0.3, 0.4])];
    const { grads: clipped, totalNorm } = clipGradNorm(grads, 10);
    expect(values(clipped[0])).toEqual(values(grads[0]));
    tf.dispose([...grads, ...clipped, totalNorm]);
  });

  it("supports norm_type 1 and 'inf'", () => {
    const grads = [tf.tensor1d([3, -4]), tf.tensor1d([-12])];
    const l1 = clipGradNorm(grads, 100, 1);
    const inf = clipGradNorm(grads, 100, 'inf');
    expectClose(values(l1.totalNorm), [19]);
    expectClose(values(inf.totalNorm), [12]);
    tf.dispose([...grads, ...l1.grads, l1.totalNorm, ...inf.grads, inf.totalNorm]);
  });
});

describe('clipGradValue', () => {
  it('clamps each element to [-clip_value, clip_value]', () => {
    const grads = [tf.tensor1d([-3, 0.5, 2])];
    const clipped = clipGradValue(grads, 1);
    expect(values(clipped[0])).toEqual([-1, 0.5, 1]);
    tf.dispose([...grads, ...clipped]);
  });
});

describe('clipGradSchema', () => {
  it('requires max_norm for clipping by norm and clip_value for clipping by value', () => {
    const norm = clipGradSchema.safeParse({ norm_type: 2 });
    const value = clipGradSchema.safeParse({ type: 'value' });
    expect(norm.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['max_norm', "required when clip_grad.type is 'norm' (e.g. max_norm: 35)"],
    ]);
    expect(value.error?.issues[0].path).toEqual(['clip_value']);
  });
});
