import { describe, expect, it } from 'vitest';
import { expectSameValue, lrOwner } from '../__fixtures__/toy.js';
import { CosineAnnealingLR } from './cosine-annealing-lr.js';

/** MMEngine's closed form: η_min + (base − η_min)·(1 + cos(π·t/T_max))/2. */
const closedForm = (base: number, etaMin: number, t: number, tMax: number) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2;

describe('CosineAnnealingLR', () => {
  it('follows the closed form, including past T_max where the chainable form takes its special branch', () => {
    const owner = lrOwner(0.1, 0.01);
    const s = new CosineAnnealingLR({ optimizer: owner, T_max: 10, eta_min: 0.001 });
    for (let t = 0; t <= 30; t++) {
      expectSameValue(owner.paramGroups[0].hyper.lr, closedForm(0.1, 0.001, t, 10), 1e-9);
      expectSameValue(owner.paramGroups[1].hyper.lr, closedForm(0.01, 0.001, t, 10), 1e-9);
      s.step();
    }
  });

  it('scales eta_min per group with eta_min_ratio and defaults T_max to end − begin', () => {
    const owner = lrOwner(0.1, 0.02);
    const s = new CosineAnnealingLR({ optimizer: owner, eta_min_ratio: 0.05, by_epoch: false, begin: 0, end: 40 });
    for (let t = 0; t < 40; t++) {
      s.step();
    }
    expectSameValue(owner.paramGroups[0].hyper.lr, closedForm(0.1, 0.005, 39, 40), 1e-9);
    expectSameValue(owner.paramGroups[1].hyper.lr, closedForm(0.02, 0.001, 39, 40), 1e-9);
  });

  it('converts T_max to iterations with convert_to_iter_based', () => {
    const owner = lrOwner(1);
    const s = new CosineAnnealingLR({ optimizer: owner, T_max: 2, end: 2, convert_to_iter_based: true, epoch_length: 5 });
    for (let t = 0; t < 5; t++) s.step();
    expectSameValue(owner.paramGroups[0].hyper.lr, closedForm(1, 0, 5, 10));
  });

  it('rejects eta_min together with eta_min_ratio', () => {
    expect(() => new CosineAnnealingLR({ optimizer: lrOwner(1), eta_min: 0, eta_min_ratio: 0.1 })).toThrow(
      'give either eta_min or eta_min_ratio, got both (0 and 0.1)',
    );
  });
});
