/**
 * COCO-format detection dataset; mirrors mmdet `CocoDataset` (`mmdet/datasets/coco.py`) over mmengine's
 * `BaseDataset`.
 *
 * Paths join as mmengine's: `ann_file` and `data_prefix.img` are relative to `data_root` unless absolute.
 * `metainfo.classes` picks categories by name (label i = classes[i]). `filter_cfg` drops, outside test mode,
 * images without instances (`filter_empty_gt`) and images whose shorter side is below `min_size`.
 * Bad annotations are fixed or dropped and counted (see `parseCoco`), one warning line says how many.
 * With `skip_missing`, images whose file does not exist are dropped at start-up and counted; without it, such
 * an image fails when loaded, naming its file and id. `get(i, { seed, epoch })` runs the pipeline with the
 * sample's own random generator.
 *
 * @example
 * dataset: {
 *   type: 'CocoDataset', data_root: 'data/coco/', ann_file: 'annotations/instances_train2017.json',
 *   data_prefix: { img: 'train2017/' }, filter_cfg: { filter_empty_gt: true, min_size: 32 },
 *   pipeline: [{ type: 'LoadImageFromFile' }, { type: 'LoadAnnotations', with_bbox: true }, { type: 'PackDetInputs' }],
 * }
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { ConsoleLogger, DATASETS, DETLAB_SCOPE, DetlabError, LOGGER, TRANSFORMS, parseOptions, ref, rootContainer, type Logger } from '@detlab/core';
import { Compose } from '../transforms/compose.js';
import type { PackedDetInputs } from '../transforms/transform.js';
import { readJsonFile } from '../utils/read-json-file.js';
import { sampleRng } from '../utils/rng.js';
import { parseCoco, type CocoParseStats } from './coco-parse.js';
import type { DataInfo } from './data-info.js';
import type { DetDataset, SampleContext } from './det-dataset.js';

/**
 * Options of `CocoDataset`, keys as mmdet's.
 *
 * @example
 * cocoDatasetSchema.parse({ ann_file: 'ann.json' }); // data_root '', test_mode false, pipeline [], ...
 */
export const cocoDatasetSchema = z.strictObject({
  data_root: z.string().default(''),
  ann_file: z.string().min(1),
  data_prefix: z.strictObject({ img: z.string().default('') }).default({ img: '' }),
  /** `classes` selects categories by name; other keys (palette, ...) are kept in `metainfo`. */
  metainfo: z.looseObject({ classes: z.array(z.string()).min(1).optional() }).default({}),
  filter_cfg: z
    .strictObject({ filter_empty_gt: z.boolean().default(false), min_size: z.number().nonnegative().default(0) })
    .nullable()
    .default(null),
  test_mode: z.boolean().default(false),
  pipeline: z.array(ref(TRANSFORMS)).default([]),
  /** Drop (and count) images whose file is missing, instead of failing when one is loaded. */
  skip_missing: z.boolean().default(false),
  /** Keep only the first n images (after filtering), or these indices: mmengine's `indices`, for quick runs. */
  indices: z.union([z.int().nonnegative(), z.array(z.int().nonnegative())]).optional(),
  backend_args: z.null().optional(),
});

/**
 * Options of `CocoDataset`.
 *
 * @example
 * const options: CocoDatasetOptions = { data_root: 'data/mnist_det/', ann_file: 'annotations/val.json', data_prefix: { img: 'val/' } };
 */
export type CocoDatasetOptions = z.input<typeof cocoDatasetSchema>;

/**
 * Counts of what loading changed: parseCoco's, plus images dropped for a missing file or by `filter_cfg`.
 *
 * @example
 * dataset.stats.missing_images; // 0
 */
export interface CocoDatasetStats extends CocoParseStats {
  missing_images: number;
  filtered_images: number;
}

/**
 * A COCO dataset; see the file comment.
 *
 * @example
 * val_dataloader: { batch_size: 1, dataset: { type: 'CocoDataset', data_root: 'data/coco/', ann_file: 'annotations/instances_val2017.json', data_prefix: { img: 'val2017/' }, test_mode: true, pipeline: test_pipeline } }
 */
@DATASETS.register({ name: 'CocoDataset', schema: cocoDatasetSchema, description: 'COCO-format detection dataset (mmdet CocoDataset)' })
export class CocoDataset implements DetDataset {
  readonly options: z.output<typeof cocoDatasetSchema>;
  readonly metainfo: { readonly classes: readonly string[]; readonly [key: string]: unknown };
  /** label → category id. */
  readonly catIds: readonly number[];
  /** category id → label. */
  readonly cat2label: ReadonlyMap<number, number>;
  readonly stats: Readonly<CocoDatasetStats>;
  readonly pipeline: Compose;
  readonly config?: Record<string, unknown>;
  /** The resolved annotation file path. */
  readonly annFile: string;
  private readonly dataList: DataInfo[];

  constructor(options: CocoDatasetOptions) {
    const o = (this.options = parseOptions(cocoDatasetSchema, options, new.target.name) as z.output<typeof cocoDatasetSchema>);
    this.annFile = joinRoot(o.data_root, o.ann_file);
    const parsed = parseCoco(readJsonFile(this.annFile, 'annotation file'), {
      file: this.annFile,
      imgPrefix: joinRoot(o.data_root, o.data_prefix.img),
      classes: o.metainfo.classes,
    });
    this.metainfo = { ...o.metainfo, classes: parsed.classes };
    this.catIds = parsed.catIds;
    this.cat2label = new Map(parsed.catIds.map((id, label) => [id, label]));
    const stats: CocoDatasetStats = { ...parsed.stats, missing_images: 0, filtered_images: 0 };
    let list = parsed.dataList;
    if (o.skip_missing) {
      list = list.filter((info) => existsSync(info.img_path));
      stats.missing_images = parsed.dataList.length - list.length;
    }
    const kept = filterData(list, o.test_mode ? null : o.filter_cfg);
    stats.filtered_images = list.length - kept.length;
    this.dataList = selectIndices(kept, o.indices);
    this.stats = stats;
    this.pipeline = new Compose(o.pipeline, 'pipeline');
    this.config = rebuildConfig(new.target, o);
    reportStats(stats, this.annFile, resolveLogger());
  }

  get length(): number {
    return this.dataList.length;
  }

  getDataInfo(index: number): DataInfo {
    const info = this.dataList[this.checkIndex(index)];
    return { ...info, instances: info.instances.map((inst) => ({ ...inst, bbox: [...inst.bbox] as DataInfo['instances'][number]['bbox'] })) };
  }

  async get(index: number, ctx: SampleContext = {}): Promise<PackedDetInputs> {
    const rng = sampleRng(ctx.seed ?? 0, ctx.epoch ?? 0, index);
    const out = await this.pipeline.transform(this.getDataInfo(index), { rng });
    if (!out.input || !out.data_sample) {
      throw new DetlabError(`${this.constructor.name}: the pipeline must end with PackDetInputs, got a result with keys ${Object.keys(out).join(', ')}`);
    }
    return out as PackedDetInputs;
  }

  private checkIndex(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.dataList.length) {
      throw new DetlabError(`${this.constructor.name}: index ${index} is out of range: the dataset has ${this.dataList.length} images`);
    }
    return index;
  }
}

/** mmengine `_join_prefix`: relative paths hang below data_root. */
function joinRoot(root: string, path: string): string {
  return root === '' || isAbsolute(path) ? path : join(root, path);
}

/** mmdet `filter_data` (see the file comment); an image whose every box was dropped counts as empty. */
function filterData(list: DataInfo[], cfg: { filter_empty_gt: boolean; min_size: number } | null): DataInfo[] {
  if (!cfg) return list;
  return list.filter((info) => (!cfg.filter_empty_gt || info.instances.length > 0) && Math.min(info.width, info.height) >= cfg.min_size);
}

function selectIndices(list: DataInfo[], indices: number | number[] | undefined): DataInfo[] {
  if (indices === undefined) return list;
  if (typeof indices === 'number') return list.slice(0, indices);
  return indices.map((i) => {
    if (i >= list.length) throw new DetlabError(`indices: ${i} is out of range: the dataset has ${list.length} images after filtering`);
    return list[i];
  });
}

/** `{ type, ...options }` with the registered (scoped) name of `cls`, or undefined when it is not registered. */
function rebuildConfig(cls: abstract new (...args: never[]) => unknown, options: object): Record<string, unknown> | undefined {
  const entry = DATASETS.entryFor(cls);
  if (!entry) return undefined;
  const type = entry.registry.scope === DETLAB_SCOPE ? entry.name : `${entry.registry.scope}.${entry.name}`;
  return { type, ...options };
}

/** The run's logger when one is registered, else a console logger (plain scripts, tests). */
function resolveLogger(): Logger {
  return rootContainer.isRegistered(LOGGER, true) ? rootContainer.resolve(LOGGER) : new ConsoleLogger();
}

function reportStats(stats: CocoDatasetStats, file: string, logger: Logger): void {
  const parts = [
    [stats.unknown_image, 'annotations with an unknown image_id dropped'],
    [stats.unknown_category, 'annotations with an unknown category_id dropped'],
    [stats.invalid_boxes, 'malformed or negative-size boxes dropped'],
    [stats.clipped_boxes, 'boxes clipped to their image'],
    [stats.empty_boxes, 'boxes under 1 px (or area ≤ 0) dropped'],
    [stats.missing_images, 'images skipped: file missing (skip_missing)'],
  ] as const;
  const found = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  if (found.length > 0) logger.warn(`CocoDataset ${file}: ${found.join('; ')}`);
}
