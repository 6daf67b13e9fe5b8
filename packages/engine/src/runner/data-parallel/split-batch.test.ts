import { describe, expect, it } from 'vitest';
import { batchLength, shardSizes, splitBatch, splitsBatches } from './split-batch.js';

describe('shardSizes', () => {
  it('splits as evenly as possible, the first shards one larger', () => {
    expect(shardSizes(4, 2)).toEqual([2, 2]);
    expect(shardSizes(5, 2)).toEqual([3, 2]);
    expect(shardSizes(7, 3)).toEqual([3, 2, 2]);
  });

  it('uses fewer replicas than it has when the batch is smaller, never an empty shard', () => {
    expect(shardSizes(1, 4)).toEqual([1]);
    expect(shardSizes(3, 4)).toEqual([1, 1, 1]);
  });
});

describe('splitBatch', () => {
  const batch = { inputs: ['a', 'b', 'c'], data_samples: [1, 2, 3], mode: 'loss' };

  it('slices every per-sample list consecutively and copies the other keys', () => {
    expect(batchLength(batch)).toBe(3);
    expect(splitBatch(batch, [2, 1])).toEqual([
      { inputs: ['a', 'b'], data_samples: [1, 2], mode: 'loss' },
      { inputs: ['c'], data_samples: [3], mode: 'loss' },
    ]);
  });

  it('rejects lists of different lengths, naming them and the fix', () => {
    expect(() => splitBatch({ inputs: [1, 2], data_samples: [1] }, [1, 1])).toThrow(
      /cannot split the batch into per-replica shards: its lists differ in length \(inputs: 2, data_samples: 1\)/,
    );
    expect(() => batchLength({ inputs: [1], x: [] })).toThrow(/differ in length/);
  });

  it('rejects a batch without lists, and one that is not an object', () => {
    expect(() => batchLength({ x: new Float32Array(4), n: 2 })).toThrow(/no key of the batch is a list \(keys: x, n\)/);
    expect(() => batchLength([1, 2])).toThrow(/expected an object of per-sample lists/);
  });

  it('rejects sizes that do not add up to the batch', () => {
    expect(() => splitBatch(batch, [1, 1])).toThrow('shard sizes [1, 1] add up to 2, but the batch has 3 samples');
  });

  it('recognises a model that splits its own batches', () => {
    expect(splitsBatches({ splitBatch: () => [], batchLength: () => 0 })).toBe(true);
    expect(splitsBatches({ loss: () => 0 })).toBe(false);
  });
});
