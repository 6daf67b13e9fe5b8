import { describe, expect, it } from 'vitest';
import { Rng, hashSeed, sampleRng } from './rng.js';

describe('Rng', () => {
  it('draws the same stream for the same seed', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    expect(Array.from({ length: 5 }, () => a.random())).toEqual(Array.from({ length: 5 }, () => b.random()));
  });

  it('keeps every draw in range', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 1000; i += 1) {
      const x = rng.random();
      expect(x >= 0 && x < 1).toBe(true);
      const k = rng.intBetween(16, 56);
      expect(k >= 16 && k <= 56 && Number.isInteger(k)).toBe(true);
    }
  });

  it('is roughly uniform', () => {
    const rng = new Rng(3);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 10000; i += 1) counts[rng.int(10)] += 1;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('shuffles into a permutation', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = new Rng(5).shuffle([...items]);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    expect(shuffled).not.toEqual(items);
  });
});

describe('sampleRng', () => {
  it('depends on seed, epoch and index, and on their order', () => {
    const first = (s: number, e: number, i: number) => sampleRng(s, e, i).random();
    expect(first(0, 0, 5)).toBe(first(0, 0, 5));
    expect(new Set([first(0, 0, 5), first(1, 0, 5), first(0, 1, 5), first(0, 0, 6)]).size).toBe(4);
    expect(hashSeed(1, 0)).not.toBe(hashSeed(0, 1));
  });

  it('keeps the high bits of large seeds', () => {
    expect(hashSeed(2 ** 40)).not.toBe(hashSeed(0));
  });
});
