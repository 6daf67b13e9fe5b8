import { describe, expect, it } from 'vitest';
import { formatFixed, linspace, numpyMean, numpyRound, pythonFloatString } from './python-numerics.js';

describe('linspace', () => {
  it("reproduces numpy's IoU thresholds bit for bit, 0.8999999999999999 included", () => {
    // np.linspace(.5, 0.95, 10).tolist() in numpy 2.4
    expect(linspace(0.5, 0.95, 10)).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95]);
  });

  it("reproduces numpy's recall thresholds, whose 36th value is 0.35000000000000003", () => {
    const r = linspace(0, 1, 101);
    expect(r).toHaveLength(101);
    expect([r[35], r[41], r[57], r[69], r[70], r[95], r[100]]).toEqual([
      0.35000000000000003, 0.41000000000000003, 0.5700000000000001, 0.6900000000000001, 0.7000000000000001, 0.9500000000000001, 1,
    ]);
    expect([r[25], r[50], r[66], r[67]]).toEqual([0.25, 0.5, 0.66, 0.67]);
  });
});

describe('numpyMean', () => {
  it('averages small arrays left to right', () => {
    expect(numpyMean(Float64Array.of(1, 0.5, 0), 3)).toBe(0.5);
  });

  it('sums pairwise as numpy does, which differs from a left-to-right sum in the last bits', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => ((i * 3) % 17) / 17);
    const naive = values.reduce((a, b) => a + b, 0) / values.length;
    // np.mean([((i * 3) % 17) / 17 for i in range(1000)]) in numpy 2.4 and the plain Python sum / 1000:
    expect(numpyMean(values, values.length)).toBe(0.4700588235294117);
    expect(naive).toBe(0.47005882352941175);
  });

  it('gives NaN for no values', () => {
    expect(numpyMean(new Float64Array(0), 0)).toBeNaN();
  });
});

describe('numpyRound', () => {
  it('rounds the scaled value half to even, as round(np.float64(x), 3) does', () => {
    expect(numpyRound(0.1235, 3)).toBe(0.124); // 123.49999999999999 * ... → 123.5 → 124
    expect(numpyRound(0.0625, 3)).toBe(0.062);
    expect(numpyRound(0.0005, 3)).toBe(0); // 0.5 → 0 (even)
    expect(numpyRound(0.6665, 3)).toBe(0.666);
    expect(numpyRound(-1, 3)).toBe(-1);
    expect(numpyRound(128 / 303, 3)).toBe(0.422);
  });
});

describe('formatFixed', () => {
  it("breaks exact ties to even like Python's format, where toFixed rounds them up", () => {
    expect((0.0625).toFixed(3)).toBe('0.063');
    expect(formatFixed(0.0625, 3)).toBe('0.062');
    expect(formatFixed(0.1875, 3)).toBe('0.188');
    expect(formatFixed(-0.0625, 3)).toBe('-0.062');
  });

  it('rounds non-ties by the exact binary value', () => {
    expect(formatFixed(0.1235, 3)).toBe('0.123'); // 0.12349999999999999866
    expect(formatFixed(-1, 3)).toBe('-1.000');
    expect(formatFixed(0.5, 2)).toBe('0.50');
    expect(formatFixed(Number.NaN, 3)).toBe('nan');
  });
});

describe('pythonFloatString', () => {
  it("prints floats as Python's str does", () => {
    expect([1, 0, 0.5, 0.123, Number.NaN].map(pythonFloatString)).toEqual(['1.0', '0.0', '0.5', '0.123', 'nan']);
  });
});
