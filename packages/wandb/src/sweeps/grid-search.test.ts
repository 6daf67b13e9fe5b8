import { describe, expect, it } from 'vitest';
import { GridSearch, gridPoints } from './methods/grid-search.js';
import type { TrialView } from './methods/sweep-method.js';
import { createRng } from './rng.js';
import { parseSweepConfig } from './sweep-config.js';
import './index.js';

const sweep = parseSweepConfig({
  method: 'grid',
  parameters: { d: { min: 1, max: 2 }, c: { value: 0 }, b: { values: ['x', 'y'] }, a: { values: [1, 2] } },
});
const view = (params: Record<string, unknown>, i: number): TrialView => ({ name: `t${i}`, state: 'finished', params, history: [] });

describe('grid search', () => {
  it('enumerates in sorted name order, the last name fastest (reference/wandb.md §5)', () => {
    const order = gridPoints(sweep).map((p) => [p.a, p.b, p.c, p.d]);
    expect(order).toEqual([
      [1, 'x', 0, 1], [1, 'x', 0, 2], [1, 'y', 0, 1], [1, 'y', 0, 2],
      [2, 'x', 0, 1], [2, 'x', 0, 2], [2, 'y', 0, 1], [2, 'y', 0, 2],
    ]);
  });

  it('skips used points and is exhausted after the last one', () => {
    const method = new GridSearch();
    const trials: TrialView[] = [];
    for (let i = 0; i < 8; i++) {
      const next = method.next(sweep, trials, createRng(0));
      expect(next).not.toBeNull();
      trials.push(view(next!.params, i));
    }
    expect(new Set(trials.map((t) => JSON.stringify(t.params))).size).toBe(8);
    expect(method.next(sweep, trials, createRng(0))).toBeNull();
    // A failed or running trial also uses its point.
    expect(method.next(sweep, [{ ...view({ a: 1, b: 'x', c: 0, d: 1 }, 0), state: 'failed' }], createRng(0))!.params).toEqual({ a: 1, b: 'x', c: 0, d: 2 });
  });

  it('expands q_uniform below max and rejects continuous distributions', () => {
    const q = parseSweepConfig({ method: 'grid', parameters: { x: { distribution: 'q_uniform', min: 0, max: 1, q: 0.25 } } });
    expect(gridPoints(q).map((p) => p.x)).toEqual([0, 0.25, 0.5, 0.75]);
    const bad = parseSweepConfig({ method: 'grid', parameters: { lr: { min: 0.1, max: 1 } } });
    expect(() => new GridSearch().next(bad, [], createRng(0))).toThrow(/parameters\.lr: method grid cannot enumerate distribution uniform/);
  });
});
