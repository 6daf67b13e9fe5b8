import { describe, expect, it } from 'vitest';
import { makeDistribution, quantize, type ParamSpec } from './distributions.js';
import { normalCdf, normalPpf } from './normal.js';
import { createRng } from './rng.js';

const d = (spec: ParamSpec) => makeDistribution('p', spec);

describe('distributions', () => {
  it('reproduces the upstream ppf reference table (reference/wandb.md §2.2)', () => {
    const us = [0, 0.25, 0.5, 0.999];
    const table: Array<[ParamSpec, unknown[]]> = [
      [{ distribution: 'uniform', min: 1e-4, max: 3e-3 }, [1e-4, 8.25e-4, 1.55e-3, 2.9971e-3]],
      [{ distribution: 'uniform', min: 1, max: 10 }, [1, 3.25, 5.5, 9.991]],
      [{ distribution: 'int_uniform', min: 1, max: 10 }, [0, 3, 5, 10]],
      [{ distribution: 'log_uniform_values', min: 1e-4, max: 0.1 }, [1e-4, 5.6234e-4, 3.1623e-3, 0.099312]],
      [{ distribution: 'categorical', values: ['a', 'b', 'c'] }, ['c', 'a', 'b', 'c']],
      [{ distribution: 'q_uniform', min: 0, max: 10, q: 2 }, [0, 2, 4, 10]],
      [{ distribution: 'normal', mu: 0, sigma: 1 }, [Number.NEGATIVE_INFINITY, -0.6745, 0, 3.0902]],
    ];
    for (const [spec, expected] of table) {
      const dist = d(spec);
      us.forEach((u, i) => {
        const got = dist.ppf(u);
        const want = expected[i];
        if (typeof want === 'number' && Number.isFinite(want)) expect(got as number, `${spec.distribution} ppf(${u})`).toBeCloseTo(want, Math.abs(want) < 0.01 ? 7 : 3);
        else expect(got).toEqual(want);
      });
    }
  });

  it('maps cdf(ppf(u)) back to u for the continuous distributions', () => {
    const specs: ParamSpec[] = [
      { distribution: 'uniform', min: -2, max: 5 },
      { distribution: 'log_uniform_values', min: 1e-5, max: 1 },
      { distribution: 'inv_log_uniform_values', min: 0.01, max: 10 },
      { distribution: 'normal', mu: 3, sigma: 0.5 },
      { distribution: 'log_normal', mu: -1, sigma: 0.7 },
    ];
    for (const spec of specs) {
      const dist = d(spec);
      for (const u of [0.01, 0.2, 0.5, 0.77, 0.99]) expect(dist.cdf(dist.ppf(u)), `${spec.distribution} at ${u}`).toBeCloseTo(u, 6);
    }
  });

  it('maps ppf(cdf(v)) back to v for the discrete distributions', () => {
    const cat = d({ distribution: 'categorical', values: [8, 16, 'x', [1, 2]] });
    for (const v of [8, 16, 'x', [1, 2]]) expect(cat.ppf(cat.cdf(v))).toEqual(v);
    const int = d({ distribution: 'int_uniform', min: -3, max: 4 });
    for (let v = -3; v <= 4; v++) expect(int.ppf(int.cdf(v))).toBe(v);
    const weighted = d({ distribution: 'categorical_w_probabilities', values: ['a', 'b', 'c'], probabilities: [0.2, 0.5, 0.3] });
    // cdf is the cumulative probability up to and including the value: ppf lands on it from just below.
    for (const v of ['a', 'b', 'c']) expect(weighted.ppf(weighted.cdf(v) - 1e-9)).toBe(v);
  });

  it('samples inside the range with the distribution\'s mean', () => {
    const rng = createRng(1);
    const n = 20_000;
    const mean = (dist: ReturnType<typeof d>) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += dist.sample(rng) as number;
      return s / n;
    };
    expect(mean(d({ distribution: 'uniform', min: 2, max: 4 }))).toBeCloseTo(3, 1);
    expect(mean(d({ distribution: 'normal', mu: -1, sigma: 2 }))).toBeCloseTo(-1, 1);
    // E[log v] of log_uniform_values(1e-4, 1e-2) is log(1e-3).
    const lu = d({ distribution: 'log_uniform_values', min: 1e-4, max: 1e-2 });
    let logs = 0;
    for (let i = 0; i < n; i++) {
      const v = lu.sample(rng) as number;
      expect(v).toBeGreaterThanOrEqual(1e-4);
      expect(v).toBeLessThanOrEqual(1e-2);
      logs += Math.log10(v);
    }
    expect(logs / n).toBeCloseTo(-3, 1);
    const weighted = d({ distribution: 'categorical_w_probabilities', values: ['a', 'b'], probabilities: [0.8, 0.2] });
    let a = 0;
    for (let i = 0; i < n; i++) if (weighted.sample(rng) === 'a') a++;
    expect(a / n).toBeCloseTo(0.8, 1);
  });

  it('rounds q_* values half to even, to integers when q is an integer', () => {
    expect(quantize(5, 2)).toBe(4); // 2.5 → 2
    expect(quantize(7, 2)).toBe(8); // 3.5 → 4
    expect(quantize(0.34, 0.1)).toBeCloseTo(0.3, 12);
    expect(Number.isInteger(d({ distribution: 'q_log_uniform_values', min: 1, max: 1000, q: 1 }).ppf(0.37))).toBe(true);
    expect(d({ distribution: 'q_normal', mu: 10, sigma: 3, q: 5 }).ppf(0.5)).toBe(10);
  });

  it('computes the standard normal to published values', () => {
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 7);
    expect(normalPpf(0.975)).toBeCloseTo(1.959963985, 6);
    expect(normalPpf(1e-6)).toBeCloseTo(-4.753424309, 5);
  });

  it('names the parameter and key when a number is missing', () => {
    expect(() => makeDistribution('lr', { distribution: 'uniform', min: 0 }, 'sweep.yaml').ppf(0.5)).toThrow(/parameters\.lr\.max: expected a number for distribution uniform/);
  });
});
