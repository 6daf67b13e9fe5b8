/**
 * Batches of images with the same orientation; mirrors mmdet `AspectRatioBatchSampler`
 * (`mmdet/datasets/samplers/batch_sampler.py`).
 *
 * Walking the sampler's order, each index goes to the portrait bucket (width < height) or the landscape one
 * (the rest, squares included); a bucket that reaches `batch_size` is emitted. Padding a batch to its largest
 * image then wastes less. At the end the leftovers, portrait ones first (mmdet concatenates bucket 0 and 1), go
 * out in `batch_size` chunks, the last, smaller one only without `drop_last`. So an epoch has exactly
 * floor (drop_last) or ceil of sampler length / batch_size batches, as with plain batching.
 *
 * @example
 * train_dataloader: { batch_size: 2, sampler: { type: 'DefaultSampler', shuffle: true }, batch_sampler: { type: 'AspectRatioBatchSampler' } }
 */
import { z } from 'zod';
import { DATA_SAMPLERS, DetlabError, parseOptions } from '@detlab/core';
import type { DetDataset } from '../datasets/det-dataset.js';
import type { BatchSamplerLike, Sampler } from './sampler.js';

/**
 * Options of `AspectRatioBatchSampler`; the DataLoader fills in `sampler` and `batch_size`, as mmengine's.
 *
 * @example
 * aspectRatioBatchSamplerSchema.parse({ batch_size: 2 });
 */
export const aspectRatioBatchSamplerSchema = z.strictObject({
  sampler: z.custom<Sampler>((v) => typeof (v as Sampler)?.[Symbol.iterator] === 'function', 'expected a sampler').optional(),
  batch_size: z.int().positive().optional(),
  drop_last: z.boolean().default(false),
});

/**
 * Options of `AspectRatioBatchSampler`.
 *
 * @example
 * const options: AspectRatioBatchSamplerOptions = { sampler, batch_size: 2 };
 */
export type AspectRatioBatchSamplerOptions = z.input<typeof aspectRatioBatchSamplerSchema>;

/**
 * Orientation-grouped batches; see the file comment.
 *
 * @example
 * batch_sampler: { type: 'AspectRatioBatchSampler' }
 */
@DATA_SAMPLERS.register({ name: 'AspectRatioBatchSampler', schema: aspectRatioBatchSamplerSchema, description: 'Batches of same-orientation images (mmdet)' })
export class AspectRatioBatchSampler implements BatchSamplerLike {
  readonly sampler: Sampler;
  readonly batchSize: number;
  readonly dropLast: boolean;
  private readonly dataset: Pick<DetDataset, 'getDataInfo'>;

  constructor(options: AspectRatioBatchSamplerOptions) {
    const o = parseOptions(aspectRatioBatchSamplerSchema, options, 'AspectRatioBatchSampler') as z.output<typeof aspectRatioBatchSamplerSchema>;
    if (!o.sampler || o.batch_size === undefined) {
      throw new DetlabError('AspectRatioBatchSampler: needs sampler and batch_size', { hint: 'Build it through a DataLoader, which passes them.' });
    }
    const dataset = o.sampler.dataset as Partial<DetDataset> | undefined;
    if (typeof dataset?.getDataInfo !== 'function') {
      throw new DetlabError('AspectRatioBatchSampler: its sampler has no dataset with getDataInfo() to read image sizes from');
    }
    this.sampler = o.sampler;
    this.dataset = dataset as Pick<DetDataset, 'getDataInfo'>;
    this.batchSize = o.batch_size;
    this.dropLast = o.drop_last;
  }

  get length(): number {
    return this.dropLast ? Math.floor(this.sampler.length / this.batchSize) : Math.ceil(this.sampler.length / this.batchSize);
  }

  setEpoch(epoch: number): void {
    this.sampler.setEpoch(epoch);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    const buckets: [number[], number[]] = [[], []];
    for (const index of this.sampler) {
      const { width, height } = this.dataset.getDataInfo(index);
      const bucket = buckets[width < height ? 0 : 1];
      bucket.push(index);
      if (bucket.length === this.batchSize) {
        yield [...bucket];
        bucket.length = 0;
      }
    }
    const left = [...buckets[0], ...buckets[1]];
    for (let start = 0; start < left.length; start += this.batchSize) {
      const chunk = left.slice(start, start + this.batchSize);
      // mmdet drops the last leftover chunk under drop_last even when it is full, yielding one batch fewer
      // than its own __len__; a full chunk is kept here so the count always matches `length`.
      if (chunk.length === this.batchSize || !this.dropLast) yield chunk;
    }
  }
}
