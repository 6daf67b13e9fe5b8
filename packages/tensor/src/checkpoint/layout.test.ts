import { describe, expect, it } from 'vitest';
import {
  convertLayout,
  guessKind,
  layoutOf,
  toDetlabLayout,
  toTorchLayout,
  toTorchShape,
  type ParameterKind,
} from './layout.js';
import type { SafetensorsTensor } from './safetensors.js';

// A conv weight in PyTorch OIHW [out=2, in=3, kh=1, kw=2]; each value spells its index: 100*o + 10*i + w.
const OIHW = new Float32Array([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]);
// The same weight in HWIO [1, 2, 3, 2], worked out by hand: for w, for i, for o.
const HWIO = new Float32Array([0, 100, 10, 110, 20, 120, 1, 101, 11, 111, 21, 121]);

describe('toDetlabLayout / toTorchLayout', () => {
  it('turns a 2x3x1x2 OIHW conv weight into HWIO', () => {
    expect(toDetlabLayout('conv', [2, 3, 1, 2], OIHW)).toEqual({ shape: [1, 2, 3, 2], data: HWIO });
  });

  it('turns HWIO back into OIHW', () => {
    expect(toTorchLayout('conv', [1, 2, 3, 2], HWIO)).toEqual({ shape: [2, 3, 1, 2], data: OIHW });
  });

  it('transposes linear weights [out, in] <-> [in, out], keeping the array type', () => {
    const torch = new Int32Array([1, 2, 3, 4, 5, 6]); // [[1, 2, 3], [4, 5, 6]]
    const detlab = toDetlabLayout('linear', [2, 3], torch);
    expect(detlab).toEqual({ shape: [3, 2], data: new Int32Array([1, 4, 2, 5, 3, 6]) });
    expect(toTorchLayout('linear', detlab.shape, detlab.data)).toEqual({ shape: [2, 3], data: torch });
  });

  it('leaves biases, norm statistics, scalars and "other" tensors as they are, but copies them', () => {
    const bias = new Float32Array([1, 2]);
    const converted = toDetlabLayout('conv', [2], bias);
    expect(converted).toEqual({ shape: [2], data: bias });
    expect(converted.data).not.toBe(bias);
    expect(toDetlabLayout('other', [], new Int32Array([5]))).toEqual({ shape: [], data: new Int32Array([5]) });
    expect(toDetlabLayout('other', [2, 3, 1, 2], OIHW).data).toEqual(OIHW);
  });

  it('maps conv weights of any rank: Conv1d [O, I, k] -> [k, I, O]', () => {
    const torch = new Float32Array([0, 1, 10, 11, 100, 101, 110, 111]); // [2, 2, 2]: 100*o + 10*i + k
    expect(toDetlabLayout('conv', [2, 2, 2], torch).data).toEqual(new Float32Array([0, 100, 10, 110, 1, 101, 11, 111]));
  });

  it('inverts itself on a random 4-D weight', () => {
    const data = Float32Array.from({ length: 4 * 3 * 3 * 5 }, () => Math.random());
    const detlab = toDetlabLayout('conv', [4, 3, 3, 5], data);
    expect(detlab.shape).toEqual([3, 5, 3, 4]);
    expect(toTorchLayout('conv', detlab.shape, detlab.data).data).toEqual(data);
  });

  it('rejects a kind whose rank cannot be right, naming the parameter', () => {
    expect(() => toDetlabLayout('linear', [2, 2, 2], new Float32Array(8), 'head.fc.weight')).toThrow(
      "parameter 'head.fc.weight' (kind 'linear') has rank 3; linear weights have rank 2 ([out, in])",
    );
    expect(() => toDetlabLayout('conv', [2, 2], new Float32Array(4))).toThrow('a conv weight has rank 2; conv weights have rank 3 or more');
    expect(() => toDetlabLayout('conv', [2, 2, 1, 1], new Float32Array(3))).toThrow('shape [2, 2, 1, 1] has 4 elements but the data has 3');
  });
});

describe('layout helpers', () => {
  it('gives the PyTorch shape of a detlab shape', () => {
    expect(toTorchShape('conv', [3, 3, 16, 32])).toEqual([32, 16, 3, 3]);
    expect(toTorchShape('linear', [16, 10])).toEqual([10, 16]);
    expect(toTorchShape('other', [16, 10])).toEqual([16, 10]);
  });

  it('guesses kinds from rank', () => {
    const guesses = [[2, 3, 3, 3], [4, 5], [5], []].map((shape) => guessKind(shape));
    expect(guesses).toEqual<ParameterKind[]>(['conv', 'linear', 'other', 'other']);
  });

  it('reads the layout from metadata, treating a file without it as PyTorch', () => {
    expect(layoutOf({})).toBe('torch');
    expect(layoutOf({ 'detlab.layout': 'nhwc' })).toBe('nhwc');
    expect(() => layoutOf({ 'detlab.layout': 'nchw' }, 'x.safetensors')).toThrow(
      `x.safetensors: metadata 'detlab.layout' is "nchw"; expected "nhwc" or "torch"`,
    );
  });

  it('converts a whole checkpoint by kind, guessing for names the callback does not know', () => {
    const tensors = new Map<string, SafetensorsTensor>([
      ['conv.weight', { dtype: 'F16', shape: [2, 3, 1, 2], data: OIHW }],
      ['pos_embed', { dtype: 'F32', shape: [2, 3], data: new Float32Array(6).fill(1) }],
      ['fc.weight', { dtype: 'F32', shape: [1, 2], data: new Float32Array([1, 2]) }],
    ]);
    const kinds = new Map<string, ParameterKind>([['pos_embed', 'other']]);
    const converted = convertLayout(tensors, 'torch', 'nhwc', (name) => kinds.get(name));
    expect(converted.get('conv.weight')).toEqual({ dtype: 'F16', shape: [1, 2, 3, 2], data: HWIO });
    expect(converted.get('pos_embed')!.shape).toEqual([2, 3]);
    expect(converted.get('fc.weight')!.shape).toEqual([2, 1]);
    expect(convertLayout(tensors, 'nhwc', 'nhwc')).toBe(tensors);
  });
});
