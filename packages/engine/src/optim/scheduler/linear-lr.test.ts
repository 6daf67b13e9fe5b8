import { PARAM_SCHEDULERS } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import { expectSameValue, lrOwner } from '../__fixtures__/toy.js';
import { LinearLR } from './linear-lr.js';

/** MMEngine's `_get_closed_form_lr` of LinearLR, extended to steps outside [begin, end). */
function closedForm(base: number, step: number, o: { start: number; end: number; begin: number; stop: number }): number {
  const total = o.stop - o.begin - 1;
  const t = Math.min(Math.max(step - o.begin, 0), total);
  if (step < o.begin) return base;
  return base * (o.start + ((o.end - o.start) * t) / total);
}

describe('LinearLR', () => {
  it('follows the closed form of a 500-iteration warm-up from start_factor 0.001', () => {
    const owner = lrOwner(0.02);
    const s = new LinearLR({ optimizer: owner, start_factor: 0.001, by_epoch: false, begin: 0, end: 500 });
    for (let step = 0; step < 700; step++) {
      expectSameValue(owner.paramGroups[0].hyper.lr, closedForm(0.02, step, { start: 0.001, end: 1, begin: 0, stop: 500 }));
      s.step();
    }
    expect(owner.paramGroups[0].hyper.lr).toBeCloseTo(0.02, 15);
  });

  it('acts only from begin, reaching end_factor at end − 1', () => {
    const owner = lrOwner(1, 0.5);
    const s = new LinearLR({ optimizer: owner, start_factor: 0.5, end_factor: 0.9, begin: 3, end: 8 });
    for (let step = 0; step < 12; step++) {
      owner.paramGroups.forEach((g, i) => expectSameValue(g.hyper.lr, closedForm([1, 0.5][i], step, { start: 0.5, end: 0.9, begin: 3, stop: 8 })));
      s.step();
    }
  });

  it('records initial_lr in each group and keeps it as base value', () => {
    const owner = lrOwner(0.1);
    const s = new LinearLR({ optimizer: owner, by_epoch: false, end: 10 });
    expect(owner.paramGroups[0].hyper.initial_lr).toBe(0.1);
    expect(s.baseValues).toEqual([0.1]);
    expect(owner.paramGroups[0].hyper.lr).toBeCloseTo(0.1 / 3, 15);
  });

  it('rejects a start_factor outside [0, 1], naming the config path', () => {
    expect(() => PARAM_SCHEDULERS.build({ type: 'LinearLR', start_factor: 2, end: 5 }, { path: 'param_scheduler.0', defaults: { optimizer: lrOwner(1) } })).toThrow(
      /param_scheduler\.0\.start_factor: expected <= 1, got 2/,
    );
  });

  it('rejects an end not after begin', () => {
    expect(() => new LinearLR({ optimizer: lrOwner(1), begin: 5, end: 5 })).toThrow(/end.*expected a step after begin = 5, got 5/);
  });
});
