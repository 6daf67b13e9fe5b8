import { describe, expect, it } from 'vitest';
import { DATA_SAMPLERS } from '@detlab/core';
import { AspectRatioBatchSampler } from './aspect-ratio-batch-sampler.js';
import { DefaultSampler } from './default-sampler.js';

// Index i is portrait (w < h) when i is in this set; the rest landscape or square.
const portrait = new Set([1, 2, 5, 8]);
const dataset = {
  length: 9,
  getDataInfo: (i: number) => ({ img_id: i, img_path: '', instances: [], width: portrait.has(i) ? 30 : 40, height: i === 0 ? 40 : 35 }),
};

describe('AspectRatioBatchSampler', () => {
  const sequential = () => new DefaultSampler({ dataset, shuffle: false });

  it('groups portrait and landscape images, emitting a bucket when it is full', () => {
    const b = new AspectRatioBatchSampler({ sampler: sequential(), batch_size: 2 });
    // 0 is square (landscape bucket). Order: 0L 1P 2P 3L 4L 5P 6L 7L 8P.
    expect([...b]).toEqual([[1, 2], [0, 3], [4, 6], [5, 8], [7]]);
    expect(b.length).toBe(5);
  });

  it('drops only a short leftover with drop_last, so the count matches length', () => {
    const three = new AspectRatioBatchSampler({ sampler: sequential(), batch_size: 3, drop_last: true });
    // Full buckets [0, 3, 4] (L) and [1, 2, 5] (P); leftovers P 8 then L 6, 7 make one full chunk, kept.
    expect([...three]).toEqual([[0, 3, 4], [1, 2, 5], [8, 6, 7]]);
    expect(three.length).toBe(3);
    const four = new AspectRatioBatchSampler({ sampler: sequential(), batch_size: 4, drop_last: true });
    // L fills [0, 3, 4, 6]; P 1, 2, 5, 8 fills next; leftover L 7 is short and dropped.
    expect([...four]).toEqual([[0, 3, 4, 6], [1, 2, 5, 8]]);
    expect(four.length).toBe(2);
  });

  it('follows the sampler’s epoch', () => {
    const sampler = new DefaultSampler({ dataset, seed: 3 });
    const b = new AspectRatioBatchSampler({ sampler, batch_size: 2 });
    const first = [...b];
    b.setEpoch(1);
    expect(sampler.epoch).toBe(1);
    expect([...b]).not.toEqual(first);
  });

  it('needs a sampler that knows its dataset', () => {
    const bare = { length: 1, epoch: 0, setEpoch: () => {}, [Symbol.iterator]: () => [0][Symbol.iterator]() };
    expect(() => new AspectRatioBatchSampler({ sampler: bare, batch_size: 1 })).toThrow('AspectRatioBatchSampler: its sampler has no dataset');
  });

  it('is built from a config with sampler and batch_size as defaults', () => {
    const b = DATA_SAMPLERS.build<AspectRatioBatchSampler>({ type: 'AspectRatioBatchSampler' }, { defaults: { sampler: sequential(), batch_size: 4 } });
    expect(b.batchSize).toBe(4);
  });
});
