import { describe, expect, it } from 'vitest';
import { loadMnistDigits, splitSources } from './mnist-source.js';

describe('loadMnistDigits', { timeout: 60_000 }, () => {
  it('reads the 10,000 bundled digits, 28×28 in 0..1', () => {
    const digits = loadMnistDigits();
    expect(digits.counts.reduce((a, b) => a + b, 0)).toBe(10000);
    const d = digits.digit(3, 0);
    expect(d.length).toBe(784);
    expect(Math.max(...d)).toBeLessThanOrEqual(1);
    expect(Math.max(...d)).toBeGreaterThan(0.5);
  });
});

describe('splitSources', () => {
  it('gives val the last share of each class and train the rest, without overlap', () => {
    const { train, val } = splitSources([100, 81, 5], 0.1);
    expect(train).toEqual([{ start: 0, end: 90 }, { start: 0, end: 73 }, { start: 0, end: 4 }]);
    expect(val).toEqual([{ start: 90, end: 100 }, { start: 73, end: 81 }, { start: 4, end: 5 }]);
  });
});
