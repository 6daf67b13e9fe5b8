import { describe, expect, it } from 'vitest';
import { sortByScoreDesc } from './sort-by-score.js';

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('sortByScoreDesc', () => {
  it('orders by descending score, ties in the given order, as a stable sort of -score', () => {
    const scores = Float32Array.of(0.5, 0.9, 0.5, 0.7, 0.5);
    expect([...sortByScoreDesc(all(5), scores)]).toEqual([1, 3, 0, 2, 4]);
    expect([...sortByScoreDesc(Int32Array.of(4, 2, 0, 1), scores)]).toEqual([1, 4, 2, 0]);
  });

  it('puts NaN last and lets -0 and 0 tie, as numpy does', () => {
    const scores = Float32Array.of(Number.NaN, -0, 0.25, 0, -1, Number.NaN, -Infinity, Infinity);
    expect([...sortByScoreDesc(all(8), scores)]).toEqual([7, 2, 1, 3, 4, 6, 0, 5]);
  });

  it('gives the same order for float64 scores (comparator path) as for float32 ones (packed path)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const f32 = Float32Array.from({ length: 2000 }, () => Math.round(random() * 50) / 50);
    const f64 = Float64Array.from(f32, (s) => s + 1e-12); // not float32 any more: comparator path; ties stay ties
    const packed = [...sortByScoreDesc(all(2000), f32)];
    expect([...sortByScoreDesc(all(2000), f64)]).toEqual(packed);
    expect(packed).toEqual([...all(2000)].sort((a, b) => f32[b]! - f32[a]! || a - b));
  });
});
