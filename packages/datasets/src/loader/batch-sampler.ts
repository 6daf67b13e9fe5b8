/**
 * Consecutive runs of `batch_size` indices in the sampler's order; torch's `BatchSampler`, which mmengine's
 * DataLoader uses when no `batch_sampler` is configured.
 *
 * @example
 * const batches = new BatchSampler(sampler, 2, false); // [[3, 0], [2, 1], [4]] for 5 shuffled indices
 */
import type { BatchSamplerLike, Sampler } from './sampler.js';

/**
 * Plain batching; see the file comment. The last, smaller batch is kept unless `dropLast`.
 *
 * @example
 * [...new BatchSampler(sampler, 4, true)].every((b) => b.length === 4); // true
 */
export class BatchSampler implements BatchSamplerLike {
  constructor(
    readonly sampler: Sampler,
    readonly batchSize: number,
    readonly dropLast: boolean,
  ) {}

  get length(): number {
    return this.dropLast ? Math.floor(this.sampler.length / this.batchSize) : Math.ceil(this.sampler.length / this.batchSize);
  }

  setEpoch(epoch: number): void {
    this.sampler.setEpoch(epoch);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const index of this.sampler) {
      batch.push(index);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
