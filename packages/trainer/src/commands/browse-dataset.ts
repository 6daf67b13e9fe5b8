/**
 * `browse-dataset`: the first `--n` samples of the config's training set as its pipeline yields them (resized,
 * flipped, padded), ground-truth boxes drawn, tiled into one PNG; mmdet's `tools/analysis_tools/browse_dataset.py`.
 *
 * @example
 * nx run trainer:browse-dataset --config=atss_r18_mnistdet --n 16 --out docs/images/mnist_det_train.png
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError, DATASETS } from '@detlab/core';
import type { DetDataset } from '@detlab/datasets';
import { drawDetections, imageGrid } from '@detlab/engine';
import type { CliOptions } from '../args.js';
import { loadRunConfig } from '../load-run-config.js';
import { userPath } from '../workspace.js';
import type { CommandIO } from './io.js';

/** Samples drawn when `--n` is not given. */
export const DEFAULT_BROWSE_COUNT = 16;

/** Draws `--n` pipeline outputs of `train_dataloader.dataset` with their boxes into one PNG (`--out`). */
export async function browseDataset(options: CliOptions, io: CommandIO): Promise<string> {
  const config = await loadRunConfig({ config: options.config, cfgOptions: options.cfgOptions, logger: io.logger });
  const count = options.n === undefined ? DEFAULT_BROWSE_COUNT : parseCount(options.n);
  const datasetCfg = (config.data.train_dataloader as { dataset?: Record<string, unknown> } | undefined)?.dataset;
  if (!datasetCfg) {
    throw new ConfigError(`${config.filename}: train_dataloader.dataset is missing`, { configPath: 'train_dataloader.dataset', hint: 'browse-dataset draws the training set; add a train_dataloader with a dataset.' });
  }
  const dataset = DATASETS.build<DetDataset>(datasetCfg, { path: 'train_dataloader.dataset' });
  const channelOrder = pipelineChannelOrder(datasetCfg.pipeline);
  const n = Math.min(count, dataset.length);
  const tiles: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const { input, data_sample: sample } = await dataset.get(i, { seed: 0, epoch: 0 });
    tiles.push(await drawDetections({ data: input.data, shape: input.shape, channelOrder }, sample.gt_instances, { classes: dataset.metainfo.classes, minSize: 0 }));
  }
  if (tiles.length === 0) throw new ConfigError(`train_dataloader.dataset of ${config.filename} has no samples`, { configPath: 'train_dataloader.dataset' });
  const out = options.out ? userPath(options.out) : userPath(join('work_dirs', configStem(config.filename), 'browse_dataset.png'));
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, await imageGrid(tiles, { cols: Math.ceil(Math.sqrt(tiles.length)) }));
  io.logger.info(`[browse-dataset] ${tiles.length} samples of ${dataset.length}`);
  io.stdout(`${out}\n`);
  return out;
}

/** The channel order `LoadImageFromFile` gives the pipeline's images (BGR unless `channel_order: 'rgb'`). */
export function pipelineChannelOrder(pipeline: unknown): 'rgb' | 'bgr' {
  const load = Array.isArray(pipeline) ? (pipeline as Array<Record<string, unknown>>).find((t) => t?.type === 'LoadImageFromFile') : undefined;
  return load?.channel_order === 'rgb' ? 'rgb' : 'bgr';
}

function parseCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--n: expected a whole number ≥ 1, got '${text}'`);
  return n;
}

function configStem(filename: string | undefined): string {
  return (filename ?? 'config').split(/[\\/]/).at(-1)!.replace(/\.[^.]+$/, '');
}
