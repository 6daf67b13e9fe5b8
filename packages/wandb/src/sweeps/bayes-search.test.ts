import { describe, expect, it } from 'vitest';
import { BayesSearch, trainingData } from './methods/bayes-search.js';
import { RandomSearch } from './methods/random-search.js';
import type { TrialView } from './methods/sweep-method.js';
import { makeDistribution } from './distributions.js';
import { createRng } from './rng.js';
import { parseSweepConfig } from './sweep-config.js';
import './index.js';

const sweep = parseSweepConfig({
  method: 'bayes',
  metric: { name: 'score', goal: 'maximize' },
  // Integer bounds would mean int_uniform (W&B's rule), so the distribution is named.
  parameters: { x: { distribution: 'uniform', min: 0, max: 1 }, y: { distribution: 'uniform', min: 0, max: 1 }, c: { value: 'fixed' } },
});
/** A cheap objective to maximise: a smooth peak at (0.3, 0.7), best value 0. */
const objective = (p: Record<string, unknown>) => -(((p.x as number) - 0.3) ** 2) - ((p.y as number) - 0.7) ** 2;
const finished = (params: Record<string, unknown>, i: number): TrialView => ({ name: `t${i}`, state: 'finished', params, history: [objective(params)] });

function bestAfter(method: BayesSearch | RandomSearch, seed: number, n: number): number {
  const rng = createRng(seed);
  const trials: TrialView[] = [];
  for (let i = 0; i < n; i++) trials.push(finished(method.next(sweep, trials, rng)!.params, i));
  return Math.max(...trials.map((t) => t.history[0]));
}

describe('bayes search', () => {
  it('draws at random while fewer than two trials have finished, and keeps constants', () => {
    const next = new BayesSearch().next(sweep, [{ name: 'a', state: 'running', params: { x: 0.5, y: 0.5, c: 'fixed' }, history: [] }], createRng(3));
    expect(next.params.c).toBe('fixed');
    expect(next.info).toMatchObject({ success_probability: 1, predicted_value: 0, warnings: ['Sweep has no valid samples of the metric.'] });
  });

  it('imputes failed trials with the worst value, negates maximise goals, and keeps running trials as pending', () => {
    const dists = ['x', 'y'].map((n) => makeDistribution(n, sweep.parameters[n]));
    const data = trainingData(
      [
        { name: 'a', state: 'finished', params: { x: 0.1, y: 0.2 }, history: [0.3, 0.5] },
        { name: 'b', state: 'stopped', params: { x: 0.4, y: 0.4 }, history: [0.2] },
        { name: 'c', state: 'failed', params: { x: 0.9, y: 0.9 }, history: [] },
        { name: 'd', state: 'running', params: { x: 0.6, y: 0.6 }, history: [0.9] },
      ],
      dists,
      'maximize',
    );
    expect(data.samples.y).toEqual([-0.5, -0.2, -0.2]); // best of a, best of b, worst value for c
    expect(data.samples.x[0]).toEqual([0.1, 0.2]);
    expect(data.pending).toEqual([[0.6, 0.6]]);
  });

  it('suggests near the optimum once the GP has data', () => {
    const trials = [0.1, 0.5, 0.9].flatMap((x, i) => [0.2, 0.8].map((y, j) => finished({ x, y, c: 'fixed' }, i * 2 + j)));
    const next = new BayesSearch().next(sweep, trials, createRng(7));
    expect(Number.isFinite(next.info!.expected_improvement as number)).toBe(true);
    expect(objective(next.params)).toBeGreaterThan(-0.1);
  });

  it('beats random search on average over seeds (12 trials on a smooth 2-D objective)', () => {
    const seeds = Array.from({ length: 10 }, (_, i) => i + 1);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const bayes = mean(seeds.map((s) => bestAfter(new BayesSearch(), s, 12)));
    const random = mean(seeds.map((s) => bestAfter(new RandomSearch(), s, 12)));
    console.info(`[bayes vs random] mean best of 12 trials over 10 seeds: bayes ${bayes.toExponential(3)}, random ${random.toExponential(3)} (optimum 0)`);
    expect(bayes).toBeGreaterThan(random);
  });
});
