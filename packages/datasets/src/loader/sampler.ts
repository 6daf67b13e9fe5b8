/**
 * The sampler contracts: which dataset indices an epoch visits, and how they group into batches (torch's
 * `Sampler` and `BatchSampler`, as mmengine uses them).
 *
 * A sampler's order may depend on the epoch (set with `setEpoch` before each epoch, as mmengine's loops call
 * `sampler.set_epoch`), never on when or where it is iterated.
 *
 * @example
 * sampler.setEpoch(3);
 * for (const batch of batchSampler) console.log(batch); // [12, 4, 9, 0], ...
 */

/**
 * An ordered list of dataset indices per epoch.
 *
 * @example
 * const order = [...sampler]; // every index once, shuffled per epoch
 */
export interface Sampler extends Iterable<number> {
  /** The dataset sampled, when the sampler knows it (batch samplers read image sizes from it). */
  readonly dataset?: unknown;
  /** Indices per epoch. */
  readonly length: number;
  /** The epoch the next iteration is for. */
  readonly epoch: number;
  setEpoch(epoch: number): void;
}

/**
 * Lists of indices, one per batch.
 *
 * @example
 * for (const indices of batchSampler) await Promise.all(indices.map((i) => dataset.get(i)));
 */
export interface BatchSamplerLike extends Iterable<number[]> {
  /** Batches per epoch. */
  readonly length: number;
  /** The sampler whose order is batched. */
  readonly sampler: Sampler;
  setEpoch(epoch: number): void;
}
