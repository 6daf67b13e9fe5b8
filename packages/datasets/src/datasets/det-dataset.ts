/**
 * What samplers and the DataLoader need from a detection dataset. `CocoDataset` is the one detlab ships; a
 * plugin's dataset implements this and registers in DATASETS.
 *
 * @example
 * const dataset = DATASETS.build<DetDataset>({ type: 'CocoDataset', ann_file: 'ann.json', pipeline });
 * const { input, data_sample } = await dataset.get(0, { seed: 0, epoch: 0 });
 */
import type { PackedDetInputs } from '../transforms/transform.js';
import type { DataInfo } from './data-info.js';

/**
 * Which random draws a sample gets: the generator of sample i is derived from (seed, epoch, i).
 *
 * @example
 * await dataset.get(5, { seed: 42, epoch: 3 });
 */
export interface SampleContext {
  seed?: number;
  epoch?: number;
}

/**
 * A detection dataset; see the file comment.
 *
 * @example
 * for (let i = 0; i < dataset.length; i += 1) console.log(dataset.getDataInfo(i).img_path);
 */
export interface DetDataset {
  readonly length: number;
  /** Class names, label order. */
  readonly metainfo: { readonly classes: readonly string[] };
  /** The unprocessed annotation of sample `index` (a copy the caller may change). */
  getDataInfo(index: number): DataInfo;
  /** Sample `index` through the pipeline. */
  get(index: number, ctx?: SampleContext): Promise<PackedDetInputs>;
  /**
   * The plain-data config that rebuilds this dataset (registered `type` name plus options), used to build it
   * again inside DataLoader workers; undefined when it cannot be rebuilt that way.
   */
  readonly config?: Record<string, unknown>;
}
