import { describe, expect, it } from 'vitest';
import { Rng } from '../utils/rng.js';
import type { MnistDigits } from './mnist-source.js';
import { inkBox, iou, renderImage } from './render.js';

/** A fake source: every digit is a 28×28 square of ink from (8, 4) to (20, 24), exclusive. */
const square: MnistDigits = {
  counts: Array(10).fill(3),
  digit: () => Float32Array.from({ length: 784 }, (_, i) => (i % 28 >= 8 && i % 28 < 20 && Math.floor(i / 28) >= 4 && Math.floor(i / 28) < 24 ? 1 : 0)),
};
const options = { image_size: 64, min_digits: 1, max_digits: 5, min_size: 28, max_size: 28, max_iou: 0.1, noise: 10, ink_threshold: 0.5 };
const ranges = Array(10).fill({ start: 0, end: 3 });

describe('inkBox', () => {
  it('is the tight box of pixels at or above the threshold, ends exclusive', () => {
    expect(inkBox(Float32Array.of(0, 0, 0, 0, 0.6, 0.7, 0, 0, 0), 3, 0.5)).toEqual([1, 1, 3, 2]);
    expect(inkBox(new Float32Array(4), 2, 0.5)).toBeUndefined();
  });
});

describe('iou', () => {
  it('divides the intersection by the union', () => {
    expect(iou([0, 0, 2, 2], [1, 0, 3, 2])).toBeCloseTo(1 / 3);
    expect(iou([0, 0, 1, 1], [2, 2, 3, 3])).toBe(0);
  });
});

describe('renderImage', () => {
  it('boxes each digit tightly around its ink and keeps overlaps under max_iou', () => {
    for (let seed = 0; seed < 20; seed += 1) {
      const { pixels, digits } = renderImage(new Rng(seed), ranges, square, options);
      expect(digits.length).toBeGreaterThanOrEqual(1);
      expect(digits.length).toBeLessThanOrEqual(5);
      for (const d of digits) {
        const [x1, y1, x2, y2] = d.box;
        expect([x2 - x1, y2 - y1]).toEqual([12, 20]); // at size 28 the ink square keeps its size
        expect(pixels[y1 * 64 + x1]).toBeGreaterThan(150); // ink (contrast ≥ 0.6) inside the box corner
        const above = [x1, y1 - 1];
        const covered = digits.some((o) => o !== d && above[0] >= o.box[0] && above[0] < o.box[2] && above[1] >= o.box[1] && above[1] < o.box[3]);
        if (y1 > 0 && !covered) expect(pixels[(y1 - 1) * 64 + x1]).toBeLessThanOrEqual(10); // background just outside the box
      }
      for (let i = 0; i < digits.length; i += 1) for (let j = 0; j < i; j += 1) expect(iou(digits[i].box, digits[j].box)).toBeLessThanOrEqual(0.1);
    }
  });

  it('draws the same image from the same generator state', () => {
    const a = renderImage(new Rng(5), ranges, square, options);
    const b = renderImage(new Rng(5), ranges, square, options);
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    expect(a.digits).toEqual(b.digits);
  });
});
