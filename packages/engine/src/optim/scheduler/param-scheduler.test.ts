import { describe, expect, it } from 'vitest';
import { lrOwner } from '../__fixtures__/toy.js';
import { LinearLR } from './linear-lr.js';
import { MultiStepLR } from './multi-step-lr.js';

describe('ParamScheduler state dict', () => {
  it('holds the counters and base values as JSON', () => {
    const s = new LinearLR({ optimizer: lrOwner(0.1), start_factor: 0.5, by_epoch: false, end: 3 });
    s.step();
    const { _last_value: lastValue, ...state } = s.stateDict();
    expect(lastValue[0]).toBeCloseTo(0.075, 15);
    expect(state).toEqual({
      type: 'LinearLR',
      begin: 0,
      end: 3,
      by_epoch: false,
      last_step: 1,
      _global_step: 1,
      base_values: [0.1],
    });
  });

  it("refuses another scheduler's state and a different number of groups", () => {
    const linear = new LinearLR({ optimizer: lrOwner(0.1), end: 3 });
    const multi = new MultiStepLR({ optimizer: lrOwner(0.1), milestones: [1] });
    expect(() => multi.loadStateDict(linear.stateDict())).toThrow('MultiStepLR.loadStateDict: the state was written by LinearLR, expected MultiStepLR');
    const twoGroups = new LinearLR({ optimizer: lrOwner(0.1, 0.2), end: 3 });
    expect(() => twoGroups.loadStateDict(linear.stateDict())).toThrow('the state has 1 param groups, this optimizer 2');
  });

  it('needs an optimizer, and says where it comes from', () => {
    expect(() => new MultiStepLR({ milestones: [1] })).toThrow(/MultiStepLR: no optimizer to schedule[\s\S]*buildSchedulers/);
  });

  it('shares initial_lr between schedulers: the first one records it', () => {
    const owner = lrOwner(1);
    new LinearLR({ optimizer: owner, start_factor: 0.5, end: 10 });
    const second = new MultiStepLR({ optimizer: owner, milestones: [3] });
    expect(owner.paramGroups[0].hyper.initial_lr).toBe(1);
    expect(second.baseValues).toEqual([1]);
  });
});
