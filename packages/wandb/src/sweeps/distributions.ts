/**
 * The parameter distributions of W&B sweeps (wandb/sweeps `params.py`; reference/wandb.md §2.2): each maps
 * u ∈ [0, 1] to a value (`ppf`) and a value back into [0, 1] (`cdf`, which bayes uses to normalise configs).
 * `sample(rng) = ppf(u)` with u uniform on [0, 1), as upstream.
 *
 * Upstream quirks kept on purpose, so that a W&B sweep explores the same points here: categorical and
 * int_uniform `ppf(0)` fall one below the range (the last value, `min − 1`); q_* rounding is half-to-even;
 * q_uniform with an integer `q` gives integers.
 *
 * @example
 * const lr = makeDistribution('lr', { distribution: 'log_uniform_values', min: 1e-4, max: 0.1 });
 * lr.ppf(0.5); // 0.0031623
 */
import { ConfigError } from '@detlab/core';
import { normalCdf, normalPpf } from './normal.js';
import type { Rng } from './rng.js';

/** A parameter's value: what a config takes (numbers, strings, booleans, lists, objects, null). */
export type ParamValue = unknown;

/** The distributions detlab implements, by W&B name. */
export const DISTRIBUTIONS = [
  'constant',
  'categorical',
  'categorical_w_probabilities',
  'int_uniform',
  'uniform',
  'q_uniform',
  'log_uniform_values',
  'q_log_uniform_values',
  'inv_log_uniform_values',
  'normal',
  'q_normal',
  'log_normal',
  'q_log_normal',
] as const;

/** One distribution's name. */
export type DistributionName = (typeof DISTRIBUTIONS)[number];

/** A parameter spec with its distribution filled in (see `sweep-config.ts`). */
export interface ParamSpec {
  distribution: DistributionName;
  value?: ParamValue;
  values?: ParamValue[];
  probabilities?: number[];
  min?: number;
  max?: number;
  q?: number;
  mu?: number;
  sigma?: number;
}

/** A parameter's distribution: `ppf` and `cdf` as in the file comment. */
export interface Distribution {
  readonly name: string;
  readonly spec: ParamSpec;
  /** Whether the search varies it (every distribution except `constant`). */
  readonly searchable: boolean;
  ppf(u: number): ParamValue;
  cdf(value: ParamValue): number;
  sample(rng: Rng): ParamValue;
}

/** The distribution of parameter `name` with the filled spec `spec`; `file` names the sweep file in errors. */
export function makeDistribution(name: string, spec: ParamSpec, file?: string): Distribution {
  const make = (ppf: (u: number) => ParamValue, cdf: (v: ParamValue) => number, searchable = true): Distribution => ({
    name,
    spec,
    searchable,
    ppf,
    cdf,
    sample: (rng) => ppf(rng.next()),
  });
  const num = (key: 'min' | 'max' | 'q' | 'mu' | 'sigma', fallback?: number): number => {
    const v = spec[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ConfigError(`parameters.${name}.${key}: expected a number for distribution ${spec.distribution}, got ${String(v)}`, { file, configPath: `parameters.${name}.${key}` });
    }
    return v;
  };
  switch (spec.distribution) {
    case 'constant':
      return make(() => spec.value, () => 0, false);
    case 'categorical': {
      const values = spec.values ?? [];
      const n = values.length;
      // ceil(u·n) − 1: u = 0 gives index −1, Python's last item (upstream quirk).
      return make((u) => values.at(Math.ceil(u * n) - 1), (v) => (indexOfValue(values, v) + 1) / n);
    }
    case 'categorical_w_probabilities': {
      const values = spec.values ?? [];
      const cumsum = cumulative(spec.probabilities ?? []);
      return make(
        (u) => values[firstAbove(cumsum, u)],
        (v) => cumsum[indexOfValue(values, v)] ?? 0,
      );
    }
    case 'int_uniform': {
      const [min, max] = [num('min'), num('max')];
      return make((u) => Math.ceil(u * (max - min + 1) + min) - 1, (v) => (Math.floor(Number(v)) - min + 1) / (max - min + 1));
    }
    case 'uniform': {
      const [min, max] = [num('min'), num('max')];
      return make((u) => min + u * (max - min), (v) => (Number(v) - min) / (max - min));
    }
    case 'q_uniform': {
      const [min, max, q] = [num('min'), num('max'), num('q', 1)];
      return make((u) => quantize(min + u * (max - min), q), (v) => (Number(v) - min) / (max - min));
    }
    case 'log_uniform_values':
    case 'q_log_uniform_values': {
      const [lo, hi] = [Math.log(num('min')), Math.log(num('max'))];
      const q = spec.distribution === 'q_log_uniform_values' ? num('q', 1) : undefined;
      return make(
        (u) => {
          const v = Math.exp(lo + u * (hi - lo));
          return q === undefined ? v : quantize(v, q);
        },
        (v) => (Math.log(Number(v)) - lo) / (hi - lo),
      );
    }
    case 'inv_log_uniform_values': {
      const [lo, hi] = [Math.log(num('min')), Math.log(num('max'))];
      // 1/v is log-uniform: U = ln(1/v) is uniform on [−ln max, −ln max + |ln max − ln min|].
      const width = Math.abs(hi - lo);
      return make(
        (u) => Math.exp(-(-hi + (1 - u) * width)),
        (v) => 1 - clamp01((Math.log(1 / Number(v)) + hi) / width),
      );
    }
    case 'normal':
    case 'q_normal': {
      const [mu, sigma] = [num('mu', 0), num('sigma', 1)];
      const q = spec.distribution === 'q_normal' ? num('q', 1) : undefined;
      return make(
        (u) => {
          const v = mu + sigma * normalPpf(u);
          return q === undefined ? v : quantize(v, q);
        },
        (v) => normalCdf((Number(v) - mu) / sigma),
      );
    }
    case 'log_normal':
    case 'q_log_normal': {
      const [mu, sigma] = [num('mu', 0), num('sigma', 1)];
      const q = spec.distribution === 'q_log_normal' ? num('q', 1) : undefined;
      return make(
        (u) => {
          const v = Math.exp(mu + sigma * normalPpf(u));
          return q === undefined ? v : quantize(v, q);
        },
        (v) => (Number(v) > 0 ? normalCdf((Math.log(Number(v)) - mu) / sigma) : 0),
      );
    }
  }
}

/** Rounds `value` to a multiple of `q`, half to even (numpy's `round`); an integer `q` gives an integer. */
export function quantize(value: number, q: number): number {
  const x = value / q;
  const floor = Math.floor(x);
  // A tie (within rounding noise of the division) goes to the even neighbour.
  const n = Math.abs(x - floor - 0.5) < 1e-12 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(x);
  const v = n * q;
  return Number.isInteger(q) ? Math.round(v) : v;
}

/** The index of `value` in `values` by deep equality (JSON), or −1. */
export function indexOfValue(values: readonly ParamValue[], value: ParamValue): number {
  const key = valueKey(value);
  return values.findIndex((v) => valueKey(v) === key);
}

/** A stable text key of a value: JSON with sorted object keys (W&B hashes a sorted-key YAML dump, §5). */
export function valueKey(value: ParamValue): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function cumulative(p: readonly number[]): number[] {
  let sum = 0;
  return p.map((x) => (sum += x));
}

/** The first index i with u < cumsum[i] (upstream's argmin(u ≥ cumsum)); the last index when none. */
function firstAbove(cumsum: readonly number[], u: number): number {
  const i = cumsum.findIndex((c) => u < c);
  return i === -1 ? cumsum.length - 1 : i;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
