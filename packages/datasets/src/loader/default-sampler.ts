/**
 * Every index once per epoch, shuffled with a per-epoch seed or in order; mirrors mmengine `DefaultSampler`
 * (`mmengine/dataset/sampler.py`) for one process.
 *
 * The shuffle of epoch e is a Fisher-Yates permutation drawn from a generator seeded with hash(seed, e): the
 * same seed and epoch give the same order in every run, and `setEpoch` changes it (mmengine seeds torch with
 * seed + epoch; the orders differ from torch's, the property is the same). `seed` defaults to the
 * DataLoader's. `round_up` only matters with several processes and is accepted for mmengine configs.
 *
 * @example
 * sampler: { type: 'DefaultSampler', shuffle: true, seed: 0 }
 */
import { z } from 'zod';
import { DATA_SAMPLERS, DetlabError, parseOptions } from '@detlab/core';
import type { DetDataset } from '../datasets/det-dataset.js';
import { Rng, hashSeed } from '../utils/rng.js';
import type { Sampler } from './sampler.js';

/**
 * Options of `DefaultSampler`; `dataset` is filled in by the DataLoader.
 *
 * @example
 * defaultSamplerSchema.parse({ shuffle: false }); // { shuffle: false, seed: undefined, round_up: true }
 */
export const defaultSamplerSchema = z.strictObject({
  dataset: z.custom<Pick<DetDataset, 'length'>>((v) => typeof (v as { length?: unknown })?.length === 'number', 'expected a dataset').optional(),
  shuffle: z.boolean().default(true),
  seed: z.int().nonnegative().optional(),
  round_up: z.boolean().default(true),
});

/**
 * Options of `DefaultSampler`.
 *
 * @example
 * const options: DefaultSamplerOptions = { dataset, shuffle: true, seed: 42 };
 */
export type DefaultSamplerOptions = z.input<typeof defaultSamplerSchema>;

/**
 * Shuffled or sequential sampler; see the file comment.
 *
 * @example
 * val_dataloader: { sampler: { type: 'DefaultSampler', shuffle: false }, dataset: { ... } }
 */
@DATA_SAMPLERS.register({ name: 'DefaultSampler', schema: defaultSamplerSchema, description: 'Every index once per epoch, shuffled per (seed, epoch)' })
export class DefaultSampler implements Sampler {
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dataset: Pick<DetDataset, 'length'>;
  private currentEpoch = 0;

  constructor(options: DefaultSamplerOptions) {
    const o = parseOptions(defaultSamplerSchema, options, 'DefaultSampler') as z.output<typeof defaultSamplerSchema>;
    if (!o.dataset) throw new DetlabError('DefaultSampler: no dataset given', { hint: 'Build it through a DataLoader, or pass { dataset }.' });
    this.dataset = o.dataset;
    this.shuffle = o.shuffle;
    this.seed = o.seed ?? 0;
  }

  get length(): number {
    return this.dataset.length;
  }

  get epoch(): number {
    return this.currentEpoch;
  }

  setEpoch(epoch: number): void {
    this.currentEpoch = epoch;
  }

  [Symbol.iterator](): Iterator<number> {
    const indices = Array.from({ length: this.dataset.length }, (_, i) => i);
    if (this.shuffle) new Rng(hashSeed(this.seed, this.currentEpoch)).shuffle(indices);
    return indices[Symbol.iterator]();
  }
}
