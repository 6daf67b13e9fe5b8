/**
 * `predict`: runs a checkpoint on a folder of images (mmdet's `demo/image_demo.py` for many images): each image
 * goes through the config's test pipeline (without `LoadAnnotations`), the detections above `--score-thr` are
 * drawn on the original image (`<out>/<image stem>.png`), and all detections go to `<out>/results.bbox.json`
 * in COCO's results format (`[{ image_id, category_id, bbox: [x, y, w, h], score }]`), as CocoMetric's
 * `format_only` writes them.
 *
 * Ids: when the config's test dataset can be built (its annotation file exists), an image named as one of its
 * images gets that image's id and labels map to its category ids, so the results can be scored against it.
 * Otherwise image ids are the 0-based positions of the images in name order and category ids are the labels.
 *
 * @example
 * nx run trainer:predict --config=atss_r18_mnistdet --checkpoint=work_dirs/atss_r18_mnistdet/<run>/epoch_5.safetensors --images=data/mnist_det/val --out=work_dirs/predict
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { DATASETS, DetlabError } from '@detlab/core';
import { Compose, collate, sampleRng, type CocoDataset, type PackedDetInputs } from '@detlab/datasets';
import { drawDetections, loadWeightsFrom, readImageForDrawing, type Runner } from '@detlab/engine';
import type { DetBatch, DetPrediction } from '@detlab/tensor';
import type { CliOptions } from '../args.js';
import { userPath } from '../workspace.js';
import type { CommandIO } from './io.js';
import { buildRunner } from './train.js';

/** File endings `predict` reads as images. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff'];

/** Images per forward pass. */
const BATCH_SIZE = 4;

/** One entry of COCO's results format. */
export interface CocoResult {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

/** Predicts every image of `--images` with `--checkpoint`; writes drawings and `results.bbox.json` to `--out`. */
export async function predictCommand(options: CliOptions, io: CommandIO): Promise<CocoResult[]> {
  if (!options.checkpoint) throw new DetlabError('predict needs weights', { hint: 'Pass --checkpoint=FILE (a .safetensors checkpoint of a training run).' });
  if (!options.images) throw new DetlabError('predict needs images', { hint: 'Pass --images=DIR (a folder of .png/.jpg images) or --images=FILE.' });
  const images = await listImages(userPath(options.images));
  const scoreThr = options.scoreThr === undefined ? 0.3 : Number(options.scoreThr);
  if (!(scoreThr >= 0 && scoreThr <= 1)) throw new DetlabError(`--score-thr: expected a number in [0, 1], got '${options.scoreThr}'`);
  const checkpoint = userPath(options.checkpoint);
  if (!existsSync(checkpoint)) throw new DetlabError(`--checkpoint: ${checkpoint} does not exist`, { hint: 'Pass a .safetensors file of a training run (work_dirs/<config>/<run>/epoch_N.safetensors).' });

  const runner = await buildRunner(options, io);
  await loadWeightsFrom(runner, checkpoint);
  runner.model.eval();
  const out = options.out ? userPath(options.out) : join(runner.workDir, 'predict');
  await mkdir(out, { recursive: true });
  const datasetCfg = (runner.cfg.test_dataloader as { dataset?: Record<string, unknown> } | undefined)?.dataset ?? {};
  const ids = testSetIds(runner, datasetCfg);
  const pipeline = new Compose(testPipeline(datasetCfg.pipeline), 'test_dataloader.dataset.pipeline');

  const results: CocoResult[] = [];
  for (let start = 0; start < images.length; start += BATCH_SIZE) {
    const paths = images.slice(start, start + BATCH_SIZE);
    const packed = await Promise.all(
      paths.map((path, k) => pipeline.transform({ img_path: path, img_id: ids.imageId(path, start + k) }, { rng: sampleRng(0, 0, start + k) }) as Promise<PackedDetInputs>),
    );
    const predictions = (await runner.model.predict(collate(packed) as DetBatch)) as DetPrediction[];
    for (let k = 0; k < paths.length; k++) {
      const path = paths[k]!;
      const prediction = predictions[k]!;
      results.push(...toCocoResults(prediction, ids.imageId(path, start + k), ids.categoryId));
      const png = await drawDetections(await readImageForDrawing(path), prediction, { classes: ids.classes, scoreThr });
      await writeFile(join(out, `${basename(path, extname(path))}.png`), png);
    }
    io.logger.info(`[predict] ${Math.min(start + BATCH_SIZE, images.length)}/${images.length} images`);
  }
  await writeFile(join(out, 'results.bbox.json'), `${JSON.stringify(results)}\n`);
  io.stdout(`${out}\n`);
  return results;
}

/** A prediction as COCO results: boxes x1y1x2y2 → [x, y, w, h]. */
export function toCocoResults(prediction: DetPrediction, imageId: number, categoryId: (label: number) => number): CocoResult[] {
  const results: CocoResult[] = [];
  for (let j = 0; j < prediction.scores.length; j++) {
    const [x1, y1, x2, y2] = prediction.bboxes.subarray(4 * j, 4 * j + 4) as unknown as [number, number, number, number];
    const round = (v: number) => Math.round(v * 100) / 100;
    results.push({ image_id: imageId, category_id: categoryId(prediction.labels[j]!), bbox: [round(x1), round(y1), round(x2 - x1), round(y2 - y1)], score: Math.round(prediction.scores[j]! * 1e4) / 1e4 });
  }
  return results;
}

/** The test pipeline without the steps that need annotations. */
export function testPipeline(pipeline: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(pipeline) || pipeline.length === 0) {
    throw new DetlabError('test_dataloader.dataset.pipeline is missing', { hint: 'predict runs images through the config\'s test pipeline; the config needs one.' });
  }
  return (pipeline as Array<Record<string, unknown>>).filter((t) => t?.type !== 'LoadAnnotations');
}

/** Image and category ids from the config's test set when it can be built; see the file comment. */
function testSetIds(runner: Runner, datasetCfg: Record<string, unknown>): { imageId: (path: string, index: number) => number; categoryId: (label: number) => number; classes?: readonly string[] } {
  let dataset: CocoDataset | undefined;
  try {
    dataset = DATASETS.build<CocoDataset>(datasetCfg, { path: 'test_dataloader.dataset' });
  } catch (error) {
    runner.logger.info(`[predict] The test set could not be built (${(error as Error).message.split('\n')[0]}): image ids are positions, category ids are labels.`);
  }
  const byName = new Map<string, number>();
  for (let i = 0; dataset && i < dataset.length; i++) {
    const info = dataset.getDataInfo(i);
    if (typeof info.img_path === 'string' && info.img_id !== undefined) byName.set(basename(info.img_path), info.img_id);
  }
  const catIds = dataset?.catIds;
  const classes = (runner.cfg.test_dataloader as { dataset?: { metainfo?: { classes?: string[] } } } | undefined)?.dataset?.metainfo?.classes ?? dataset?.metainfo.classes;
  return {
    imageId: (path, index) => byName.get(basename(path)) ?? index,
    categoryId: (label) => catIds?.[label] ?? label,
    classes,
  };
}

/** The image files of `path` (a folder, in name order, or one file). */
async function listImages(path: string): Promise<string[]> {
  if (!existsSync(path)) throw new DetlabError(`--images: ${path} does not exist`, { hint: 'Pass a folder of images or one image file.' });
  if (statSync(path).isFile()) return [path];
  const files = (await readdir(path)).filter((name) => IMAGE_EXTENSIONS.includes(extname(name).toLowerCase())).sort();
  if (files.length === 0) throw new DetlabError(`--images: no images (${IMAGE_EXTENSIONS.join(', ')}) in ${path}`);
  return files.map((name) => join(path, name));
}
