import { describe, expect, it } from 'vitest';
import { lrOwner } from '../__fixtures__/toy.js';
import { LinearLR } from '../scheduler/linear-lr.js';
import { scaleLr } from './scale-lr.js';

describe('scaleLr (auto_scale_lr)', () => {
  it('multiplies every group lr by total batch / base_batch_size', () => {
    const owner = lrOwner(0.02, 0.002);
    expect(scaleLr(owner, { enable: true, base_batch_size: 16 }, { batchSize: 2, worldSize: 4 })).toBe(0.5);
    expect(owner.paramGroups.map((g) => g.hyper.lr)).toEqual([0.01, 0.001]);
  });

  it('does nothing when disabled or absent', () => {
    const owner = lrOwner(0.02);
    expect(scaleLr(owner, { enable: false, base_batch_size: 16 }, { batchSize: 2 })).toBeUndefined();
    expect(scaleLr(owner, undefined, { batchSize: 2 })).toBeUndefined();
    expect(owner.paramGroups[0].hyper.lr).toBe(0.02);
  });

  it('must run before the schedulers record the initial lr', () => {
    const owner = lrOwner(0.02);
    new LinearLR({ optimizer: owner, end: 5 });
    expect(() => scaleLr(owner, { enable: true, base_batch_size: 16 }, { batchSize: 2 })).toThrow(/already built[\s\S]*before buildSchedulers/);
  });

  it('requires base_batch_size when enabled', () => {
    expect(() => scaleLr(lrOwner(1), { enable: true }, { batchSize: 2 })).toThrow(/auto_scale_lr\.base_batch_size: required when enable is true/);
  });
});
