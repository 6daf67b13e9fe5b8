/**
 * `bayes`: Gaussian-process Bayesian optimisation as wandb/sweeps `bayes_search.py` (reference/wandb.md §6).
 *
 * 1. Each trial's searchable parameters map into [0, 1]^d through their CDFs. Targets: a finished (or
 *    hyperband-stopped) trial's best metric; failed/crashed trials and finished ones without a value are
 *    imputed (`metric.impute`, default worst); running trials are pending points unless
 *    `impute_while_running` says otherwise. Maximise goals are negated, so everything below minimises.
 * 2. Fewer than two samples: a uniform random point (so a sweep's first two trials are always random).
 * 3. A GP (`gp.ts`) on y normalised as (y − mean)/(std + 1e-6); pending points get the GP's mean as fantasy
 *    observations, then the GP is refitted.
 * 4. Expected improvement over 1000 uniform candidates; the best one wins. If the fitted length scale sits at
 *    a bound the fit is meaningless, and a random candidate is taken instead (with a warning).
 *
 * @example
 * method: bayes
 * metric: { name: val/bbox_mAP_50, goal: maximize }
 */
import { SWEEP_METHODS } from '@detlab/core';
import { makeDistribution, type Distribution } from '../distributions.js';
import { LOG_LENGTH_BOUNDS, expectedImprovement, fitGaussianProcess } from '../gp.js';
import { normalCdf, normalPdf } from '../normal.js';
import type { Rng } from '../rng.js';
import type { SweepConfig } from '../sweep-config.js';
import type { Suggestion, SweepMethod, TrialView } from './sweep-method.js';

/** Candidates scored by expected improvement per suggestion. */
export const BAYES_CANDIDATES = 1000;
/** At most this many samples train the GP (drawn with replacement beyond it, as upstream). */
const MAX_SAMPLES = 100;
/** At most this many pending points become fantasies. */
const MAX_PENDING = 95;

/** Bayes search; see the file comment. */
export class BayesSearch implements SweepMethod {
  next(config: SweepConfig, trials: readonly TrialView[], rng: Rng): Suggestion {
    const metric = config.metric!;
    const dists = Object.entries(config.parameters).map(([name, spec]) => makeDistribution(name, spec));
    const searchable = dists.filter((d) => d.searchable);
    const { samples, pending } = trainingData(trials, searchable, metric.goal, metric.impute, metric.impute_while_running);
    const { point, info } = suggestPoint(samples.x, samples.y, pending, searchable.length, rng);
    const params: Record<string, unknown> = {};
    for (const d of dists) params[d.name] = d.searchable ? d.ppf(point[searchable.indexOf(d)]) : d.spec.value;
    return { params, info };
  }
}

/** Samples (X in [0,1]^d, y to minimise) and pending points from the trials; see step 1 of the file comment. */
export function trainingData(
  trials: readonly TrialView[],
  searchable: readonly Distribution[],
  goal: 'minimize' | 'maximize',
  impute: 'latest' | 'best' | 'worst' = 'worst',
  imputeWhileRunning: 'latest' | 'best' | 'worst' | 'false' = 'false',
): { samples: { x: number[][]; y: number[] }; pending: number[][] } {
  const sign = goal === 'maximize' ? -1 : 1;
  // In minimisation space, after negation: best is min, worst is max.
  const terminal = trials.filter((t) => t.state !== 'running' && t.state !== 'interrupted');
  const worstOf = terminal.filter((t) => t.history.length).map((t) => Math.max(...t.history.map((v) => sign * v)));
  const worst = worstOf.length ? Math.max(...worstOf) : 0;
  const pick = (t: TrialView, how: 'latest' | 'best' | 'worst'): number => {
    if (how === 'worst' || t.history.length === 0) return worst;
    const vals = t.history.map((v) => sign * v);
    return how === 'latest' ? vals[vals.length - 1] : Math.min(...vals);
  };
  const x: number[][] = [];
  const y: number[] = [];
  const pending: number[][] = [];
  for (const t of trials) {
    const point = searchable.map((d) => d.cdf(t.params[d.name]));
    if (point.some((v) => Number.isNaN(v))) continue;
    if (t.state === 'finished' || t.state === 'stopped') {
      x.push(point);
      y.push(t.history.length ? Math.min(...t.history.map((v) => sign * v)) : pick(t, impute));
    } else if (t.state === 'failed' || t.state === 'crashed') {
      x.push(point);
      y.push(pick(t, impute));
    } else if (imputeWhileRunning !== 'false') {
      x.push(point);
      y.push(pick(t, imputeWhileRunning));
    } else {
      pending.push(point);
    }
  }
  return { samples: { x, y: y.map((v) => (Number.isFinite(v) ? v : worst)) }, pending };
}

/** Steps 2-4 of the file comment: the next point in [0, 1]^d and what the GP said about it. */
export function suggestPoint(
  xIn: readonly number[][],
  yIn: readonly number[],
  pendingIn: readonly number[][],
  dims: number,
  rng: Rng,
): { point: number[]; info: Record<string, unknown> } {
  const randomPoint = (): number[] => Array.from({ length: dims }, () => rng.next());
  let x = xIn.map((r) => [...r]);
  let y = [...yIn];
  if (x.length < 2) {
    return {
      point: randomPoint(),
      info: {
        success_probability: 1,
        predicted_value: y.length === 1 ? y[0] : 0,
        predicted_value_std_dev: Number.NaN,
        expected_improvement: Number.NaN,
        warnings: x.length === 0 ? ['Sweep has no valid samples of the metric.'] : [],
      },
    };
  }
  if (x.length > MAX_SAMPLES) {
    const picks = Array.from({ length: MAX_SAMPLES }, () => Math.floor(rng.next() * x.length));
    x = picks.map((i) => x[i]);
    y = picks.map((i) => y[i]);
  }
  let norm = normaliser(y);
  let gp = fitGaussianProcess(x, y.map(norm.to));
  const pending = pendingIn.slice(0, MAX_PENDING);
  if (pending.length) {
    const fantasies = gp.predict(pending).mean.map(norm.from);
    x = [...x, ...pending];
    y = [...y, ...fantasies];
    norm = normaliser(y);
    gp = fitGaussianProcess(x, y.map(norm.to));
  }
  const candidates = Array.from({ length: BAYES_CANDIDATES }, randomPoint);
  const { mean, std } = gp.predict(candidates);
  const yBest = norm.to(Math.min(...y));
  let best = 0;
  let bestEi = Number.NEGATIVE_INFINITY;
  let bestZ = 0;
  for (let i = 0; i < candidates.length; i++) {
    const { ei, z } = expectedImprovement(mean[i], std[i], yBest, normalCdf, normalPdf);
    if (ei > bestEi) [best, bestEi, bestZ] = [i, ei, z];
  }
  const warnings: string[] = [];
  const logL = Math.log(gp.lengthScale);
  if (Math.abs(logL - LOG_LENGTH_BOUNDS[0]) < 1e-6 || Math.abs(logL - LOG_LENGTH_BOUNDS[1]) < 1e-6) {
    best = Math.floor(rng.next() * (BAYES_CANDIDATES - 1));
    warnings.push(`The GP's length scale ${gp.lengthScale.toExponential(2)} is at a bound of its range: the fit is poor, so this suggestion is random.`);
  }
  return {
    point: candidates[best],
    info: {
      success_probability: normalCdf(bestZ),
      predicted_value: norm.from(mean[best]),
      predicted_value_std_dev: std[best] * norm.scale,
      expected_improvement: bestEi,
      length_scale: gp.lengthScale,
      warnings,
    },
  };
}

/** Upstream's hand normalisation: (y − mean)/(std + 1e-6), std taken as 1 for a single sample. */
function normaliser(y: readonly number[]): { to(v: number): number; from(v: number): number; scale: number } {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const std = y.length === 1 ? 1 : Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length);
  const scale = std + 1e-6;
  return { to: (v) => (v - mean) / scale, from: (v) => v * scale + mean, scale };
}

SWEEP_METHODS.register(BayesSearch, { name: 'bayes', description: 'Gaussian-process Bayesian optimisation with expected improvement (W&B bayes).' });
