import { describe, expect, it } from 'vitest';
import { lrOwner } from '../__fixtures__/toy.js';
import { ConstantLR } from './constant-lr.js';

describe('ConstantLR', () => {
  it('holds lr × factor from begin and restores it at end − 1, as MMEngine', () => {
    const owner = lrOwner(0.5);
    const s = new ConstantLR({ optimizer: owner, factor: 0.5, begin: 1, end: 4 });
    const seen: number[] = [];
    for (let step = 0; step < 6; step++) {
      seen.push(owner.paramGroups[0].hyper.lr);
      s.step();
    }
    expect(seen).toEqual([0.5, 0.25, 0.25, 0.5, 0.5, 0.5]);
  });
});
