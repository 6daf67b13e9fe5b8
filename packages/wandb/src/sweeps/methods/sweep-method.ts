/**
 * The search-method contract: given the sweep config and every trial so far, the parameters of the next trial,
 * or null when the search is exhausted (a finished grid). Methods live in `SWEEP_METHODS` under W&B's names
 * (`grid`, `random`, `bayes`), so a plugin can add one.
 *
 * @example
 * SWEEP_METHODS.register(MySearch, { name: 'my_search', description: '...' });
 * const method = buildSweepMethod('my_search');
 */
import { ConfigError, SWEEP_METHODS } from '@detlab/core';
import type { ParamValue } from '../distributions.js';
import type { Rng } from '../rng.js';
import type { SweepConfig } from '../sweep-config.js';
import type { TrialState } from '../trial.js';

/** What a method sees of one trial. */
export interface TrialView {
  name: string;
  state: TrialState;
  params: Record<string, ParamValue>;
  /** The finite values of the sweep metric, in logged order. */
  history: number[];
}

/** A method's suggestion. */
export interface Suggestion {
  params: Record<string, ParamValue>;
  /** Diagnostics stored with the trial (bayes: predicted value, expected improvement, warnings). */
  info?: Record<string, unknown>;
}

/** A search method. */
export interface SweepMethod {
  /** The next trial's parameters, or null when nothing is left to try. */
  next(config: SweepConfig, trials: readonly TrialView[], rng: Rng): Suggestion | null;
}

/** Builds the method registered as `name` in SWEEP_METHODS. */
export function buildSweepMethod(name: string): SweepMethod {
  const Cls = SWEEP_METHODS.get(name) as (new () => SweepMethod) | undefined;
  if (!Cls) throw new ConfigError(`method: unknown sweep method '${name}'`, { configPath: 'method', hint: `Known: ${SWEEP_METHODS.list().map((e) => e.name).join(', ')}.` });
  return new Cls();
}
