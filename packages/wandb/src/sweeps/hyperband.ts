/**
 * Hyperband early termination with W&B's semantics (wandb/sweeps `hyperband_stopping.py`; reference/wandb.md §7).
 *
 * - **Bands**: with `min_iter`, min_iter·eta^i for i = 0..99 (floored; `s` is ignored); with `max_iter` and `s`,
 *   max_iter/eta, max_iter/eta², ... (s of them, floored, ≥ 1), ascending.
 * - **Iteration n** is the n-th finite value of the sweep metric a trial logged (not its epoch or step).
 * - **Thresholds**: for band b, the values at iteration b of every trial (any state) that got that far,
 *   negated for maximise goals, sorted; the threshold is the one at position floor(len/eta).
 * - **Decision**, only for running trials: the largest band ≤ the trial's history length; stop if its value
 *   there (`strict`, the default) or its best so far is above that band's threshold. A lone trial is never
 *   stopped: its own value is the threshold and the test is strict.
 *
 * @example
 * early_terminate: { type: hyperband, s: 3, eta: 2, min_iter: 8 } // bands 8, 16, 32, ...
 */
import type { z } from 'zod';
import type { earlyTerminateSchema } from './sweep-config.js';

/** A filled `early_terminate` block. */
export type HyperbandConfig = z.output<typeof earlyTerminateSchema>;

/** What hyperband sees of one trial. */
export interface HyperbandTrial {
  name: string;
  running: boolean;
  /** Finite metric values, in logged order. */
  history: readonly number[];
}

/** The decision for one trial. */
export interface StopDecision {
  name: string;
  stop: boolean;
  /** W&B's info line: `Run: NAME Step: N (Band: B Metric: V Threshold: T)`, with ` STOP` when stopping. */
  line?: string;
}

/** The bands (iteration counts) at which trials are compared; see the file comment. */
export function hyperbandBands(config: HyperbandConfig): number[] {
  const { eta } = config;
  if (config.min_iter !== undefined) return Array.from({ length: 100 }, (_, i) => Math.floor(config.min_iter! * eta ** i));
  const bands: number[] = [];
  let b = config.max_iter!;
  for (let i = 0; i < config.s!; i++) {
    b /= eta;
    if (b < 1) break;
    bands.push(Math.floor(b));
  }
  return bands.sort((x, y) => x - y);
}

/** The threshold of each band over `trials` (in minimisation space); +∞ where no trial reached it. */
export function hyperbandThresholds(bands: readonly number[], histories: readonly (readonly number[])[], eta: number): number[] {
  const r = 1 / eta;
  return bands.map((band) => {
    const vals = histories.filter((h) => h.length >= band).map((h) => h[band - 1]).sort((a, b) => a - b);
    return vals.length ? vals[Math.floor(r * vals.length)] : Number.POSITIVE_INFINITY;
  });
}

/** Which trials to stop now; `goal` comes from the sweep's metric. */
export function hyperbandStops(config: HyperbandConfig, goal: 'minimize' | 'maximize', trials: readonly HyperbandTrial[]): StopDecision[] {
  const bands = hyperbandBands(config);
  const sign = goal === 'maximize' ? -1 : 1;
  const histories = trials.map((t) => t.history.map((v) => sign * v));
  const thresholds = hyperbandThresholds(bands, histories, config.eta);
  return trials.map((trial, i) => {
    const history = histories[i];
    if (!trial.running) return { name: trial.name, stop: false };
    let bandIndex = -1;
    for (let k = 0; k < bands.length; k++) if (bands[k] <= history.length) bandIndex = k;
    if (bandIndex === -1) return { name: trial.name, stop: false };
    const band = bands[bandIndex];
    const value = config.strict ? history[band - 1] : Math.min(...history);
    const threshold = thresholds[bandIndex];
    const stop = value > threshold;
    const line = `Run: ${trial.name} Step: ${history.length} (Band: ${band} Metric: ${value} Threshold: ${threshold})${stop ? ' STOP' : ''}`;
    return { name: trial.name, stop, line };
  });
}
