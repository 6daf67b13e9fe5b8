import { describe, expect, it } from 'vitest';
import { expectSameValue, lrOwner } from '../__fixtures__/toy.js';
import { MultiStepLR } from './multi-step-lr.js';

describe('MultiStepLR', () => {
  it('multiplies by gamma at each milestone, counting a repeated milestone twice', () => {
    const owner = lrOwner(1);
    const s = new MultiStepLR({ optimizer: owner, milestones: [2, 4, 4], gamma: 0.5 });
    const seen: number[] = [];
    for (let epoch = 0; epoch < 6; epoch++) {
      seen.push(owner.paramGroups[0].hyper.lr);
      s.step();
    }
    expect(seen).toEqual([1, 1, 0.5, 0.5, 0.125, 0.125]);
  });

  it('counts milestones from begin', () => {
    const owner = lrOwner(1);
    const s = new MultiStepLR({ optimizer: owner, milestones: [1], begin: 2 });
    const seen: number[] = [];
    for (let epoch = 0; epoch < 5; epoch++) {
      seen.push(owner.paramGroups[0].hyper.lr);
      s.step();
    }
    seen.forEach((v, i) => expectSameValue(v, i < 3 ? 1 : 0.1));
  });

  it('converts epochs to iterations with convert_to_iter_based (milestones, begin and end)', () => {
    const owner = lrOwner(1);
    const s = new MultiStepLR({ optimizer: owner, milestones: [1, 2], by_epoch: true, end: 3, convert_to_iter_based: true, epoch_length: 10 });
    expect([s.byEpoch, s.begin, s.end]).toEqual([false, 0, 30]);
    const drops: number[] = [];
    let last = 1;
    for (let iter = 0; iter < 30; iter++) {
      if (owner.paramGroups[0].hyper.lr !== last) drops.push(iter);
      last = owner.paramGroups[0].hyper.lr;
      s.step();
    }
    expect(drops).toEqual([10, 20]);
  });

  it('says what convert_to_iter_based is missing', () => {
    expect(() => new MultiStepLR({ optimizer: lrOwner(1), milestones: [1], convert_to_iter_based: true })).toThrow(
      /MultiStepLR: convert_to_iter_based needs the epoch length[\s\S]*epochLength/,
    );
    expect(() => new MultiStepLR({ optimizer: lrOwner(1), milestones: [1], by_epoch: false, convert_to_iter_based: true, epoch_length: 5 })).toThrow(
      'MultiStepLR: convert_to_iter_based converts epoch-based configs, but by_epoch is false',
    );
  });
});
