import { describe, expect, it } from 'vitest';
import { hyperbandBands, hyperbandStops, hyperbandThresholds, type HyperbandConfig } from './hyperband.js';

const hb = (c: Partial<HyperbandConfig>): HyperbandConfig => ({ type: 'hyperband', eta: 3, strict: true, ...c });
const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('hyperband', () => {
  it('makes bands from min_iter and eta (s ignored), or from max_iter and s', () => {
    expect(hyperbandBands(hb({ min_iter: 8, eta: 2, s: 3 })).slice(0, 5)).toEqual([8, 16, 32, 64, 128]);
    expect(hyperbandBands(hb({ max_iter: 27, s: 3 }))).toEqual([1, 3, 9]);
    expect(hyperbandBands(hb({ max_iter: 81, s: 3 }))).toEqual([3, 9, 27]);
    expect(hyperbandBands(hb({ max_iter: 9, s: 2 }))).toEqual([1, 3]);
  });

  it('stops only the bad running trial in the detlab case (reference/wandb.md §7.6, case 1)', () => {
    const trials = [
      { name: 'done', running: false, history: range(19, (i) => (i + 1) / 10) },
      { name: 'good', running: true, history: range(8, (i) => 0.15 + i / 10) },
      { name: 'bad', running: true, history: range(8, (i) => (i + 1) / 100) },
      { name: 'short', running: true, history: range(7, () => 0) },
    ];
    for (const strict of [true, false]) {
      const config = hb({ min_iter: 8, eta: 2, s: 3, strict });
      const decisions = hyperbandStops(config, 'maximize', trials);
      expect(decisions.filter((d) => d.stop).map((d) => d.name)).toEqual(['bad']);
    }
    const thresholds = hyperbandThresholds([8, 16, 32], trials.map((t) => t.history.map((v) => -v)), 2);
    expect(thresholds[0]).toBeCloseTo(-0.8, 12);
    expect(thresholds[1]).toBeCloseTo(-1.6, 12);
    expect(thresholds[2]).toBe(Number.POSITIVE_INFINITY);
    const bad = hyperbandStops(hb({ min_iter: 8, eta: 2 }), 'maximize', trials).find((d) => d.name === 'bad')!;
    expect(bad.line).toBe('Run: bad Step: 8 (Band: 8 Metric: -0.08 Threshold: -0.8) STOP');
  });

  it('stops r1 and r3 and keeps r2 when minimising (reference/wandb.md §7.6, case 2)', () => {
    const trials = [
      { name: 'f1', running: false, history: [5, 4, 3, 2, 1, 1, 1, 1, 1] },
      { name: 'f2', running: false, history: [6, 5, 4, 3, 3, 3, 3, 3, 3] },
      { name: 'r1', running: true, history: [9, 9, 9] },
      { name: 'r2', running: true, history: [5, 3, 2.5] },
      { name: 'r3', running: true, history: [7] },
    ];
    const config = hb({ max_iter: 9, s: 2, eta: 3 });
    expect(hyperbandThresholds(hyperbandBands(config), trials.map((t) => t.history), 3)).toEqual([5, 3]);
    expect(hyperbandStops(config, 'minimize', trials).filter((d) => d.stop).map((d) => d.name)).toEqual(['r1', 'r3']);
  });

  it('never stops a lone trial or a finished one (strict comparison, running trials only)', () => {
    const config = hb({ min_iter: 1, eta: 2 });
    expect(hyperbandStops(config, 'maximize', [{ name: 'solo', running: true, history: [0, 0, 0] }])[0].stop).toBe(false);
    expect(hyperbandStops(config, 'maximize', [{ name: 'a', running: false, history: [0] }, { name: 'b', running: true, history: [1] }]).every((d) => !d.stop)).toBe(true);
    // Equal values are not worse: the comparison is strict.
    expect(hyperbandStops(config, 'maximize', [{ name: 'a', running: true, history: [1] }, { name: 'b', running: true, history: [1] }]).every((d) => !d.stop)).toBe(true);
  });
});
