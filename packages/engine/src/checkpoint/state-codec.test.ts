import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../runner/__fixtures__/toy-run.js';
import { decodeState, encodeState } from './state-codec.js';

beforeAll(useCpu);

describe('encodeState / decodeState', () => {
  it('moves tensors out under their dotted paths and brings them back', () => {
    const m = tf.tensor1d([1, 2]);
    const w = tf.tensor2d([[3]]);
    const tensors = new Map<string, tf.Tensor>();
    const json = encodeState({ step: 3, slots: [{ m }], weights: new Map([['conv.weight', w]]), best: -Infinity, note: null }, 'optimizer', tensors);
    expect(json).toEqual({
      step: 3,
      slots: [{ m: { __tensor__: 'optimizer.slots.0.m' } }],
      weights: { __tensors__: 'optimizer.weights' },
      best: { __number__: '-Infinity' },
      note: null,
    });
    expect([...tensors.keys()]).toEqual(['optimizer.slots.0.m', 'optimizer.weights.conv.weight']);
    const back = decodeState(JSON.parse(JSON.stringify(json)), tensors) as Record<string, unknown>;
    expect(back.step).toBe(3);
    expect((back.slots as Array<{ m: tf.Tensor }>)[0].m).toBe(m);
    expect((back.weights as Map<string, tf.Tensor>).get('conv.weight')).toBe(w);
    expect(back.best).toBe(-Infinity);
    tf.dispose([m, w]);
  });

  it('keeps maps of plain values as maps', () => {
    const tensors = new Map<string, tf.Tensor>();
    const json = encodeState(new Map([['a', 1]]), 'x', tensors);
    expect(decodeState(json, tensors)).toEqual(new Map([['a', 1]]));
  });

  it('rejects values that are neither JSON data, tensors nor maps, naming the path', () => {
    expect(() => encodeState({ when: new Date(0) }, 'hooks', new Map())).toThrow("cannot save 'hooks.when' in a checkpoint: expected JSON data, a tensor or a Map, got an instance of Date");
  });
});
