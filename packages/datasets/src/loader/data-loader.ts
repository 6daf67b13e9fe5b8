/**
 * Batches of a dataset per epoch, decoded inline or in worker threads; mirrors how mmengine's runner builds
 * torch's DataLoader from `train_dataloader` (`Runner.build_dataloader`).
 *
 * The dataset (a config or an instance) is built from DATASETS, the sampler from DATA_SAMPLERS with the dataset
 * and seed as defaults, and the optional batch sampler with the sampler and batch_size, as mmengine does.
 * Each `for await` walks one epoch: the epoch is the sampler's (`setEpoch` before each epoch, as mmengine's
 * loops call `sampler.set_epoch`), and sample i draws its augmentation from (seed, epoch, i). So batches are
 * the same with 0 or N workers and however the workers are scheduled.
 *
 * With `num_workers: 0` samples load in this thread. Otherwise each worker rebuilds the dataset from its config
 * (`dataset.config`; plain data, registered type names) and returns whole batches with their typed arrays
 * transferred; up to `prefetch_factor × num_workers` batches are requested ahead, and yielded in order.
 * Workers live for one epoch unless `persistent_workers`, then until `close()`. Leaving a `for await` early
 * stops the epoch cleanly; idle workers never keep the process alive.
 *
 * @example
 * const loader = new DataLoader({ batch_size: 8, num_workers: 2, sampler: { type: 'DefaultSampler', shuffle: true }, dataset: cfg.train_dataloader.dataset });
 * loader.setEpoch(epoch);
 * for await (const batch of loader) model.loss(batch);
 * await loader.close();
 */
import { z } from 'zod';
import { DATASETS, DATA_SAMPLERS, DetlabError, isPlainObject, joinConfigPath, parseOptions } from '@detlab/core';
import type { DetBatch } from '@detlab/tensor';
import type { DetDataset } from '../datasets/det-dataset.js';
import type { PackedDetInputs } from '../transforms/transform.js';
import { BatchSampler } from './batch-sampler.js';
import { collate } from './collate.js';
import type { BatchSamplerLike, Sampler } from './sampler.js';
import { WorkerPool } from './worker-pool.js';

const node = z.looseObject({ type: z.unknown() });

/**
 * Options of `DataLoader`, keys as mmengine's `train_dataloader`.
 *
 * @example
 * dataLoaderSchema.parse({ dataset }); // batch_size 1, num_workers 0, sequential DefaultSampler, seed 0
 */
export const dataLoaderSchema = z.strictObject({
  dataset: z.custom<Record<string, unknown> | DetDataset>(
    (v) => isPlainObject(v) || typeof (v as DetDataset)?.get === 'function',
    'expected a dataset config ({ type, ... }) or a dataset',
  ),
  batch_size: z.int().positive().default(1),
  num_workers: z.int().nonnegative().default(0),
  sampler: node.default({ type: 'DefaultSampler', shuffle: false }),
  batch_sampler: node.nullable().default(null),
  /** Drop the last, short batch (ignored with a batch_sampler, which has its own). */
  drop_last: z.boolean().default(false),
  persistent_workers: z.boolean().default(false),
  /** Batches requested ahead per worker. */
  prefetch_factor: z.int().positive().default(2),
  /** Seed of the sampler's shuffle and of every sample's augmentation (mmengine: randomness.seed). */
  seed: z.int().nonnegative().default(0),
  /** Modules workers import before rebuilding the dataset: the config's custom_imports. */
  worker_imports: z.array(z.string()).default([]),
  /** Accepted for mmengine configs; there is no pinned memory here. */
  pin_memory: z.boolean().optional(),
});

/**
 * Options of `DataLoader`.
 *
 * @example
 * const options: DataLoaderOptions = { dataset: { type: 'CocoDataset', ann_file: 'ann.json', pipeline }, batch_size: 2 };
 */
export type DataLoaderOptions = z.input<typeof dataLoaderSchema>;

/**
 * Epochs of `DetBatch`es; see the file comment.
 *
 * @example
 * train_dataloader: { batch_size: 8, num_workers: 2, persistent_workers: true, sampler: { type: 'DefaultSampler', shuffle: true }, batch_sampler: { type: 'AspectRatioBatchSampler' }, dataset: { type: 'CocoDataset', ... } }
 */
export class DataLoader implements AsyncIterable<DetBatch> {
  readonly options: z.output<typeof dataLoaderSchema>;
  readonly dataset: DetDataset;
  readonly sampler: Sampler;
  readonly batchSampler: BatchSamplerLike;
  private pool?: WorkerPool;

  /** `path` is the config path of these options (`train_dataloader`), for error messages. */
  constructor(options: DataLoaderOptions, path = 'DataLoader') {
    const o = (this.options = parseOptions(dataLoaderSchema, options, path) as z.output<typeof dataLoaderSchema>);
    this.dataset = isPlainObject(o.dataset) ? DATASETS.build<DetDataset>(o.dataset, { path: joinConfigPath(path, 'dataset') }) : (o.dataset as DetDataset);
    this.sampler = DATA_SAMPLERS.build<Sampler>(o.sampler, { defaults: { dataset: this.dataset, seed: o.seed }, path: joinConfigPath(path, 'sampler') });
    this.batchSampler = o.batch_sampler
      ? DATA_SAMPLERS.build<BatchSamplerLike>(o.batch_sampler, { defaults: { sampler: this.sampler, batch_size: o.batch_size }, path: joinConfigPath(path, 'batch_sampler') })
      : new BatchSampler(this.sampler, o.batch_size, o.drop_last);
    if (o.num_workers > 0) this.workerInit(); // fail now, not at the first epoch, if workers cannot rebuild it
  }

  /** Batches per epoch. */
  get length(): number {
    return this.batchSampler.length;
  }

  /** The epoch the next iteration is for (the sampler's). */
  get epoch(): number {
    return this.sampler.epoch;
  }

  /** Sets the epoch of the next iteration: its shuffle and its augmentations. */
  setEpoch(epoch: number): void {
    this.batchSampler.setEpoch(epoch);
  }

  /** One epoch of batches, in sampler order. */
  async *[Symbol.asyncIterator](): AsyncGenerator<DetBatch, void, undefined> {
    const batches = [...this.batchSampler];
    const ctx = { seed: this.options.seed, epoch: this.sampler.epoch };
    if (this.options.num_workers === 0) {
      for (const indices of batches) yield collate(await Promise.all(indices.map((i) => this.dataset.get(i, ctx))));
      return;
    }
    const pool = (this.pool ??= new WorkerPool(this.options.num_workers, this.workerInit()));
    const ahead = this.options.prefetch_factor * this.options.num_workers;
    const pending: Array<Promise<PackedDetInputs[]>> = [];
    let next = 0;
    const request = () => {
      const promise = pool.run(batches[next++], ctx);
      promise.catch(() => {}); // awaited in order below; this only silences rejections of batches never reached
      pending.push(promise);
    };
    try {
      while (next < batches.length && pending.length < ahead) request();
      while (pending.length > 0) {
        const samples = await pending.shift()!;
        if (next < batches.length) request();
        yield collate(samples);
      }
    } finally {
      if (!this.options.persistent_workers) await this.close();
    }
  }

  /** Stops the workers, if any; the next epoch starts new ones. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  private workerInit(): { dataset: Record<string, unknown>; imports: string[] } {
    const config = this.dataset.config;
    if (!config) {
      throw new DetlabError(`DataLoader: num_workers ${this.options.num_workers} needs a dataset that workers can rebuild, but ${this.dataset.constructor.name} has no config`, {
        hint: 'Pass the dataset as a config ({ type, ... }) of a registered dataset class, or set num_workers: 0.',
      });
    }
    try {
      structuredClone(config);
    } catch (error) {
      throw new DetlabError(`DataLoader: the dataset config must be plain data to reach the workers (${(error as Error).message})`, {
        hint: 'Name transforms and datasets by their registered type strings instead of classes or functions, or set num_workers: 0.',
        cause: error,
      });
    }
    return { dataset: config, imports: this.options.worker_imports };
  }
}
