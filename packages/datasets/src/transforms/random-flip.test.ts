import { describe, expect, it } from 'vitest';
import { Rng, sampleRng } from '../utils/rng.js';
import { RandomFlip, flipBoxes } from './random-flip.js';

const sample = () => ({
  img: Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i),
  img_shape: [2, 3] as [number, number],
  gt_bboxes: Float32Array.of(0, 0, 1, 2, 1, 0, 3, 1),
});

describe('flipBoxes', () => {
  it('mirrors horizontally as x1 = w − x2, x2 = w − x1', () => {
    expect([...flipBoxes(Float32Array.of(10, 20, 30, 40), [100, 200], 'horizontal')]).toEqual([170, 20, 190, 40]);
  });
  it('mirrors vertically and diagonally', () => {
    expect([...flipBoxes(Float32Array.of(10, 20, 30, 40), [100, 200], 'vertical')]).toEqual([10, 60, 30, 80]);
    expect([...flipBoxes(Float32Array.of(10, 20, 30, 40), [100, 200], 'diagonal')]).toEqual([170, 60, 190, 80]);
  });
});

describe('RandomFlip', () => {
  it('always flips with prob 1: image columns reversed, boxes mirrored, flip meta set', () => {
    const r = new RandomFlip({ prob: 1 }).transform(sample(), { rng: new Rng(0) });
    expect(r.flip).toBe(true);
    expect(r.flip_direction).toBe('horizontal');
    expect([...r.img!.subarray(0, 9)]).toEqual([6, 7, 8, 3, 4, 5, 0, 1, 2]);
    expect([...r.gt_bboxes!]).toEqual([2, 0, 3, 2, 0, 0, 2, 1]);
  });

  it('never flips with prob 0', () => {
    const s = sample();
    const r = new RandomFlip({ prob: 0 }).transform(s, { rng: new Rng(0) });
    expect(r.flip).toBe(false);
    expect(r.flip_direction).toBeNull();
    expect([...r.gt_bboxes!]).toEqual([0, 0, 1, 2, 1, 0, 3, 1]);
  });

  it('flips about prob of the time and the same samples for the same (seed, epoch, index)', () => {
    const flip = new RandomFlip({ prob: 0.5 });
    const decisions = (seed: number) => Array.from({ length: 400 }, (_, i) => flip.transform(sample(), { rng: sampleRng(seed, 0, i) }).flip);
    const first = decisions(1);
    expect(decisions(1)).toEqual(first);
    expect(decisions(2)).not.toEqual(first);
    const count = first.filter(Boolean).length;
    expect(count).toBeGreaterThan(160);
    expect(count).toBeLessThan(240);
  });

  it('shares one prob among several directions', () => {
    const flip = new RandomFlip({ prob: 0.9, direction: ['horizontal', 'vertical'] });
    const seen = new Set(Array.from({ length: 200 }, (_, i) => flip.transform(sample(), { rng: sampleRng(0, 0, i) }).flip_direction));
    expect(seen).toEqual(new Set(['horizontal', 'vertical', null]));
  });

  it('checks that a prob list matches the directions', () => {
    expect(() => new RandomFlip({ prob: [0.5], direction: ['horizontal', 'vertical'] })).toThrow(/RandomFlip.prob: expected one probability per direction \(2\), got 1/);
  });
});
