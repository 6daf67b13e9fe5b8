/**
 * CocoDataset over MNIST-Det that makes the data on first use: when `data_root` holds no complete copy (no
 * `.mnist_det.json` marker), the constructor builds one with the default options (about 10 s, once), then
 * loads it as any COCO dataset. For other sizes or seeds, make it beforehand with
 * `nx run tools:make-mnist-det -- --num-train 5000`; an existing complete copy is used as it is.
 *
 * Options are CocoDataset's, with `data_root` defaulting to `data/mnist_det/` (relative to the working folder,
 * git-ignored). Classes are '0'..'9'.
 *
 * @example
 * dataset: { type: 'MnistDetDataset', ann_file: 'annotations/train.json', data_prefix: { img: 'train/' }, pipeline: train_pipeline }
 */
import { z } from 'zod';
import { ConsoleLogger, DATASETS, LOGGER, parseOptions, rootContainer, type Logger } from '@detlab/core';
import { CocoDataset, cocoDatasetSchema } from '../datasets/coco-dataset.js';
import { ensureMnistDetSync, readMnistDetMarker } from './ensure-mnist-det.js';

/**
 * The default folder of MNIST-Det, relative to the working folder.
 *
 * @example
 * ensureMnistDet(MNIST_DET_ROOT);
 */
export const MNIST_DET_ROOT = 'data/mnist_det/';

/**
 * Options of `MnistDetDataset`: CocoDataset's, `data_root` defaulting to MNIST_DET_ROOT.
 *
 * @example
 * mnistDetDatasetSchema.parse({ ann_file: 'annotations/val.json', data_prefix: { img: 'val/' }, test_mode: true });
 */
export const mnistDetDatasetSchema = cocoDatasetSchema.extend({ data_root: z.string().default(MNIST_DET_ROOT) });

/**
 * Options of `MnistDetDataset`.
 *
 * @example
 * const options: MnistDetDatasetOptions = { ann_file: 'annotations/train.json', data_prefix: { img: 'train/' } };
 */
export type MnistDetDatasetOptions = z.input<typeof mnistDetDatasetSchema>;

/**
 * MNIST-Det, made when missing; see the file comment.
 *
 * @example
 * val_dataloader: { batch_size: 8, dataset: { type: 'MnistDetDataset', ann_file: 'annotations/val.json', data_prefix: { img: 'val/' }, test_mode: true, pipeline: test_pipeline } }
 */
@DATASETS.register({ name: 'MnistDetDataset', schema: mnistDetDatasetSchema, description: 'MNIST-Det (COCO format), made on first use' })
export class MnistDetDataset extends CocoDataset {
  constructor(options: MnistDetDatasetOptions) {
    super(ensureData(parseOptions(mnistDetDatasetSchema, options, 'MnistDetDataset') as z.output<typeof mnistDetDatasetSchema>));
  }
}

/** Makes the data under `o.data_root` when it is not complete there; returns the options unchanged. */
function ensureData<T extends { data_root: string }>(o: T): T {
  if (readMnistDetMarker(o.data_root)) return o;
  const logger: Logger = rootContainer.isRegistered(LOGGER, true) ? rootContainer.resolve(LOGGER) : new ConsoleLogger();
  logger.info(`MNIST-Det: not found in ${o.data_root}; making it (default options, about 10 s, once)`);
  const started = performance.now();
  const { made, summary } = ensureMnistDetSync(o.data_root);
  if (made) {
    logger.info(`MNIST-Det: ${summary.images.train} train and ${summary.images.val} val images made in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return o;
}
