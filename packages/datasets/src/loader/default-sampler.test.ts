import { describe, expect, it } from 'vitest';
import { DATA_SAMPLERS } from '@detlab/core';
import { DefaultSampler } from './default-sampler.js';

const dataset = { length: 50 };

describe('DefaultSampler', () => {
  it('visits every index once per epoch', () => {
    const order = [...new DefaultSampler({ dataset, seed: 1 })];
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(order).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('gives the same order for the same seed and epoch, another for another epoch or seed', () => {
    const orderOf = (seed: number, epoch: number) => {
      const s = new DefaultSampler({ dataset, seed });
      s.setEpoch(epoch);
      return [...s];
    };
    expect(orderOf(7, 2)).toEqual(orderOf(7, 2));
    expect(orderOf(7, 2)).not.toEqual(orderOf(7, 3));
    expect(orderOf(7, 2)).not.toEqual(orderOf(8, 2));
  });

  it('keeps the order when iterated twice in one epoch', () => {
    const s = new DefaultSampler({ dataset, seed: 0 });
    expect([...s]).toEqual([...s]);
  });

  it('is sequential without shuffle', () => {
    expect([...new DefaultSampler({ dataset: { length: 4 }, shuffle: false })]).toEqual([0, 1, 2, 3]);
  });

  it('is built from a config with the dataset passed as a default', () => {
    const s = DATA_SAMPLERS.build<DefaultSampler>({ type: 'DefaultSampler', shuffle: false }, { defaults: { dataset } });
    expect(s.length).toBe(50);
    expect(() => DATA_SAMPLERS.build({ type: 'DefaultSampler' })).toThrow('DefaultSampler: no dataset given');
  });
});
