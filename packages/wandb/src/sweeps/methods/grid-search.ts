/**
 * `grid`: the Cartesian product of every parameter's values (wandb/sweeps `grid_search.py`; reference/wandb.md
 * §5), in sorted name order with the last name varying fastest. A point already used by a trial in any state is
 * skipped; when every point is used the search is exhausted (null).
 *
 * Values: categorical and constant as given; int_uniform as min, min+1, ..., max; q_uniform as min, min+q, ...
 * below max (upstream's range excludes max). Other distributions cannot be enumerated and are an error.
 *
 * @example
 * method: grid
 * parameters: { lr: { values: [0.001, 0.01] }, model.bbox_head.stacked_convs: { min: 1, max: 4 } }
 */
import { ConfigError, SWEEP_METHODS } from '@detlab/core';
import { valueKey, type ParamSpec, type ParamValue } from '../distributions.js';
import type { Rng } from '../rng.js';
import type { SweepConfig } from '../sweep-config.js';
import type { Suggestion, SweepMethod, TrialView } from './sweep-method.js';

/** Grid search; see the file comment. */
export class GridSearch implements SweepMethod {
  next(config: SweepConfig, trials: readonly TrialView[], _rng?: Rng): Suggestion | null {
    const names = Object.keys(config.parameters).sort();
    const axes = names.map((name) => gridValues(name, config.parameters[name]));
    const used = new Set(trials.map((t) => pointKey(names, t.params)));
    for (const point of cartesian(axes)) {
      const params = Object.fromEntries(names.map((n, i) => [n, point[i]]));
      if (!used.has(pointKey(names, params))) return { params };
    }
    return null;
  }
}

/** Every point of the grid, in order (see the file comment). */
export function gridPoints(config: SweepConfig): Array<Record<string, ParamValue>> {
  const names = Object.keys(config.parameters).sort();
  const axes = names.map((name) => gridValues(name, config.parameters[name]));
  return [...cartesian(axes)].map((point) => Object.fromEntries(names.map((n, i) => [n, point[i]])));
}

/** The values one parameter takes on the grid. */
export function gridValues(name: string, spec: ParamSpec): ParamValue[] {
  switch (spec.distribution) {
    case 'constant':
      return [spec.value];
    case 'categorical':
      return spec.values ?? [];
    case 'int_uniform': {
      const out: number[] = [];
      for (let v = spec.min!; v <= spec.max!; v++) out.push(v);
      return out;
    }
    case 'q_uniform': {
      const q = spec.q ?? 1;
      const out: number[] = [];
      // Multiples counted, not summed, so that 0.1 steps do not drift.
      for (let i = 0; spec.min! + i * q < spec.max! - 1e-12; i++) out.push(Number((spec.min! + i * q).toPrecision(12)));
      return out;
    }
    default:
      throw new ConfigError(`parameters.${name}: method grid cannot enumerate distribution ${spec.distribution}`, {
        configPath: `parameters.${name}`,
        hint: 'Use values: [...], an int_uniform range or q_uniform with q, or method random/bayes.',
      });
  }
}

function pointKey(names: readonly string[], params: Record<string, ParamValue>): string {
  return valueKey(names.map((n) => params[n]));
}

function* cartesian(axes: readonly ParamValue[][]): Generator<ParamValue[]> {
  if (axes.some((a) => a.length === 0)) return;
  const idx = axes.map(() => 0);
  for (;;) {
    yield idx.map((i, k) => axes[k][i]);
    let k = axes.length - 1;
    while (k >= 0 && ++idx[k] === axes[k].length) idx[k--] = 0;
    if (k < 0) return;
  }
}

SWEEP_METHODS.register(GridSearch, { name: 'grid', description: 'Every combination of the parameters\' values, in order (W&B grid).' });
