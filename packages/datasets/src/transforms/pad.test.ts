import { describe, expect, it } from 'vitest';
import { Pad, padTarget } from './pad.js';

const image = (h: number, w: number) => ({ img: new Uint8Array(h * w * 3).fill(9), img_shape: [h, w] as [number, number] });

describe('padTarget', () => {
  it('rounds each side up to the divisor', () => {
    expect(padTarget([800, 1067], { size_divisor: 32, pad_to_square: false })).toEqual([800, 1088]);
    expect(padTarget([33, 64], { size_divisor: 32, pad_to_square: false })).toEqual([64, 64]);
  });
  it('pads to a fixed [w, h] or a square', () => {
    expect(padTarget([10, 20], { size: [30, 40], pad_to_square: false })).toEqual([40, 30]);
    expect(padTarget([10, 20], { pad_to_square: true })).toEqual([20, 20]);
    expect(padTarget([10, 20], { pad_to_square: true, size_divisor: 16 })).toEqual([32, 32]);
  });
});

describe('Pad', () => {
  it('pads bottom and right with pad_val and records pad_shape and img_shape', () => {
    const r = new Pad({ size_divisor: 4, pad_val: 1 }).transform({ ...image(3, 2), gt_bboxes: Float32Array.of(0, 0, 2, 3) });
    expect(r.pad_shape).toEqual([4, 4]);
    expect(r.img_shape).toEqual([4, 4]);
    expect(r.pad_size_divisor).toBe(4);
    expect(r.img!.length).toBe(4 * 4 * 3);
    expect([...r.img!.subarray(0, 12)]).toEqual([9, 9, 9, 9, 9, 9, 1, 1, 1, 1, 1, 1]);
    expect([...r.gt_bboxes!]).toEqual([0, 0, 2, 3]);
  });

  it('takes mmcv’s { img } pad_val form', () => {
    const r = new Pad({ size: [2, 2], pad_val: { img: [1, 2, 3] } }).transform(image(1, 2));
    expect([...r.img!.subarray(6)]).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it('refuses a fixed size smaller than the image', () => {
    expect(() => new Pad({ size: [2, 2] }).transform(image(3, 3))).toThrow('Pad: size [2, 2] (w, h) is smaller than the image [3, 3] (w, h)');
  });

  it('needs one of size, size_divisor and pad_to_square', () => {
    expect(() => new Pad({})).toThrow(/Pad.size: expected exactly one of size, size_divisor and pad_to_square/);
  });
});
