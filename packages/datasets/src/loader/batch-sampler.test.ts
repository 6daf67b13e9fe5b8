import { describe, expect, it } from 'vitest';
import { BatchSampler } from './batch-sampler.js';
import { DefaultSampler } from './default-sampler.js';

describe('BatchSampler', () => {
  const sampler = () => new DefaultSampler({ dataset: { length: 5 }, shuffle: false });

  it('cuts the sampler order into batches, keeping the short last one', () => {
    const b = new BatchSampler(sampler(), 2, false);
    expect([...b]).toEqual([[0, 1], [2, 3], [4]]);
    expect(b.length).toBe(3);
  });

  it('drops the short last batch with dropLast', () => {
    const b = new BatchSampler(sampler(), 2, true);
    expect([...b]).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(b.length).toBe(2);
  });
});
