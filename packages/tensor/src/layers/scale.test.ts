import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { Scale } from './scale.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('Scale', () => {
  it('multiplies by its parameter, whose gradient is Σ x·dy', () => {
    const scale = new Scale({ scale: 2 });
    const x = tf.tensor1d([1, 2, 3]);
    expect(Array.from(scale.forward(x).dataSync())).toEqual([2, 4, 6]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(scale.forward(x), tf.tensor1d([1, -1, 2]))), [scale.scale]);
    expect(grads[scale.scale.name]!.dataSync()[0]).toBeCloseTo(1 - 2 + 6, 5);
    expect([...scale.stateDict().keys()]).toEqual(['scale']);
    scale.dispose();
  });
});
