/**
 * CocoMetric: COCO box AP and AR of a detector's predictions; mirrors mmdet `CocoMetric`
 * (`mmdet/evaluation/metrics/coco_metric.py`) with pycocotools' numbers (see `CocoEvaluator`).
 *
 * `process` keeps each image's predictions (labels become category ids through the dataset's `cat_ids`), from
 * detlab's loop (`process(batch, predictions)`) or mmdet-style samples with `pred_instances` (see `readSample`);
 * `computeMetrics` evaluates them against the ground truth, which comes from, in this order: `ann_file` (read
 * when the metric is built), `setGroundTruth(coco)` (a COCO object the caller already holds), or the data
 * samples' own `instances` (original-image x1y1x2y2, as mmdet's data infos hold them). Keys, prefixed by
 * `evaluate`: `coco/bbox_mAP`, `coco/bbox_mAP_50`, `coco/bbox_mAP_75`, `coco/bbox_mAP_s|m|l`, then
 * `coco/bbox_AR@100`, `coco/bbox_AR@300`, `coco/bbox_AR@1000`, `coco/bbox_AR_s|m|l@1000`, rounded to 3 decimals
 * as mmdet rounds them.
 *
 * Departures from mmdet, each for a reason:
 * - With `metric_items` unset all 12 numbers are recorded, not only the six mAP ones: runs want AR too, and
 *   the mAP keys still come first, so `save_best='auto'` still picks `coco/bbox_mAP`. For that reason the
 *   `classwise` `<category>_precision` values come after them too (mmdet puts them first).
 * - No predictions at all evaluate to AP 0 with a warning; mmdet logs an error and returns no numbers, which
 *   breaks `save_best` on a model's first, empty epoch.
 * - Label i maps to the category named `classes[i]` (detlab's CocoDataset convention) unless `cat_ids` is in
 *   the dataset meta; mmdet lists category ids in the file's order, the same whenever classes follow that order.
 * - The classwise table lists categories in label order, each with its own numbers; mmdet reads the precision
 *   array by label position, which mislabels rows whenever category ids do not ascend with the labels.
 * - Only 'bbox' is evaluated; 'segm', 'proposal' and 'proposal_fast' are refused when the config is checked.
 *
 * @example
 * val_evaluator: { type: 'CocoMetric', ann_file: 'data/coco/annotations/instances_val2017.json', metric: 'bbox', format_only: false }
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DetlabError, METRICS, describeValue, parseOptions } from '@detlab/core';
import { readJsonFile } from '../utils/read-json-file.js';
import { BaseMetric } from './base-metric.js';
import { classwiseTable } from './classwise-table.js';
import { allocateDetections, detectionsToResults, type CocoDetections } from './coco-detections.js';
import { CocoEvaluator } from './coco-evaluator.js';
import { COCO_METRIC_ITEMS, cocoMetricSchema, type CocoMetricConfig, type CocoMetricOptions } from './coco-metric-options.js';
import type { CocoJson } from './coco-types.js';
import { gtToCocoJson, type ImageGroundTruth } from './gt-to-coco.js';
import { readSample, type CocoMetricSample, type CocoPrediction, type SampleMeta } from './metric-sample.js';
import { formatFixed, numpyRound } from './python-numerics.js';

/**
 * One image as `process` keeps it.
 *
 * @example
 * metric.results[0]; // { img_id: 42, bboxes: Float32Array [...], scores: ..., labels: ..., gt: { ... } }
 */
export interface CocoMetricResult {
  img_id: number;
  /** [n × 4] x1y1x2y2. */
  bboxes: Float32Array;
  scores: Float32Array;
  labels: Int32Array;
  /** Kept only while the metric has no ground truth of its own. */
  gt?: ImageGroundTruth;
}

/**
 * COCO box evaluation in the MMEngine metric protocol; see the file comment.
 *
 * @example
 * val_evaluator: { type: 'CocoMetric', ann_file: 'data/mnist_det/annotations/val.json', classwise: true }
 */
@METRICS.register({ name: 'CocoMetric', schema: cocoMetricSchema, description: 'COCO box AP/AR with pycocotools numbers (mmdet CocoMetric).' })
export class CocoMetric extends BaseMetric<CocoMetricResult, CocoMetricSample | CocoPrediction> {
  readonly options: CocoMetricConfig;
  private coco: CocoJson | null = null;
  /** Where `coco` came from, for messages. */
  private cocoSource = '';

  constructor(options: CocoMetricOptions = {}) {
    const o = parseOptions(cocoMetricSchema, options, 'CocoMetric') as CocoMetricConfig;
    super(o, 'coco');
    this.options = o;
    if (o.ann_file !== null) this.setGroundTruth(asCocoJson(readJsonFile(o.ann_file, 'annotation file'), o.ann_file), o.ann_file);
  }

  /**
   * Uses `coco` as the ground truth (instead of `ann_file` or the samples); `source` names it in messages.
   *
   * @example
   * metric.setGroundTruth(dataset.coco, 'the val dataset');
   */
  setGroundTruth(coco: CocoJson, source = 'the ground truth given to setGroundTruth'): void {
    this.coco = this.options.sort_categories ? { ...coco, categories: [...coco.categories].sort((a, b) => a.id - b.id) } : coco;
    this.cocoSource = source;
  }

  /**
   * Keeps each image's predictions (copied), and its ground truth while the metric has none of its own.
   * `outputs[i]` is the detector's prediction for the batch's i-th image (detlab's loop) or an mmdet data
   * sample with `pred_instances`; facts it lacks (`img_id`, ...) come from `dataBatch.data_samples[i]`.
   */
  process(dataBatch: unknown, outputs: readonly (CocoMetricSample | CocoPrediction)[]): void {
    const batchSamples = (dataBatch as { data_samples?: readonly SampleMeta[] } | null | undefined)?.data_samples;
    outputs.forEach((output, i) => {
      const { imgId, bboxes, scores, labels, oriShape, instances } = readSample(output, batchSamples?.[i]);
      const result: CocoMetricResult = { img_id: imgId, bboxes, scores, labels };
      if (this.coco === null && instances) {
        const [height = 0, width = 0] = oriShape ?? [];
        result.gt = { img_id: imgId, width, height, anns: instances };
      }
      this.results.push(result);
    });
  }

  /** Evaluates `results`; unprefixed keys (`bbox_mAP`, ...); `{}` with `format_only`. */
  computeMetrics(results: CocoMetricResult[]): Record<string, number> {
    const o = this.options;
    const { coco, catIds } = this.groundTruth(results);
    const dets = this.toDetections(results, catIds);
    this.checkImageIds(coco, dets);
    if (o.outfile_prefix !== null) {
      writeJson(`${o.outfile_prefix}.bbox.json`, detectionsToResults(dets));
      if (this.coco === null) writeJson(`${o.outfile_prefix}.gt.json`, coco);
    }
    if (o.format_only) {
      this.logger.info(`[CocoMetric] results are saved in ${dirname(o.outfile_prefix!)}`);
      return {};
    }
    if (dets.length === 0) this.logger.warn('[CocoMetric] The testing results of the whole dataset is empty: every AP is 0.');

    this.logger.info('[CocoMetric] Evaluating bbox...');
    const evaluator = new CocoEvaluator(coco, dets, {
      imgIds: coco.images.map((im) => im.id),
      catIds,
      maxDets: o.proposal_nums,
      ...(o.iou_thrs === null ? {} : { iouThrs: typeof o.iou_thrs === 'number' ? [o.iou_thrs] : o.iou_thrs }),
    });
    const stats = evaluator.summarize();
    const ms = evaluator.timings;
    const total = (ms.prepare + ms.evaluate + ms.accumulate + ms.summarize) / 1000;
    this.logger.info(`[CocoMetric] ${evaluator.imgIds.length} images, ${dets.length} detections: DONE (t=${total.toFixed(2)}s)\n${evaluator.summaryLines.join('\n')}`);

    const metrics: Record<string, number> = {};
    for (const item of o.metric_items ?? (Object.keys(COCO_METRIC_ITEMS) as (keyof typeof COCO_METRIC_ITEMS)[])) {
      metrics[`bbox_${item}`] = numpyRound(stats[COCO_METRIC_ITEMS[item]]!, 3);
    }
    if (o.classwise) {
      // Rows in label order; each reads its own category's slice (index among the sorted ids).
      const names = new Map(coco.categories.map((c) => [c.id, c.name]));
      const rows = [...new Set(catIds)].map((id) => ({ name: names.get(id) ?? String(id), index: evaluator.catIds.indexOf(id) }));
      const { table, precisions } = classwiseTable(evaluator.eval!, evaluator.params, rows);
      this.logger.info(`\n${table}`);
      Object.assign(metrics, precisions);
    }
    this.logger.info(`bbox_mAP_copypaste: ${stats.slice(0, 6).map((s) => formatFixed(s, 3)).join(' ')}`);
    return metrics;
  }

  /** The COCO object to evaluate against and the category id of each label. */
  private groundTruth(results: readonly CocoMetricResult[]): { coco: CocoJson; catIds: number[] } {
    const meta = this.datasetMeta;
    if (this.coco !== null) return { coco: this.coco, catIds: labelCatIds(this.coco, meta?.cat_ids, meta?.classes, this.cocoSource) };
    const missing = results.find((r) => r.gt === undefined);
    if (missing) {
      throw new DetlabError(`CocoMetric: no ground truth for image ${missing.img_id}`, {
        hint: "Set ann_file, call setGroundTruth(coco), or keep 'instances' in the data samples (PackDetInputs meta_keys).",
      });
    }
    if (!meta?.classes?.length) {
      throw new DetlabError('CocoMetric: ground truth from data samples needs the class names: set datasetMeta = { classes } first');
    }
    // Converted ground truth uses labels as category ids, so label i is category i.
    return { coco: gtToCocoJson(results.map((r) => r.gt!), meta.classes), catIds: meta.classes.map((_, i) => i) };
  }

  /** Every kept prediction as columns, boxes x1y1x2y2 → xywh in float64 as mmdet's `xyxy2xywh` computes them. */
  private toDetections(results: readonly CocoMetricResult[], catIds: readonly number[]): CocoDetections {
    let total = 0, unknown = 0;
    const K = catIds.length;
    for (const { labels } of results) {
      for (let i = 0; i < labels.length; i += 1) {
        if (labels[i]! >= 0 && labels[i]! < K) total += 1;
        else unknown += 1;
      }
    }
    if (unknown > 0) this.logger.warn(`[CocoMetric] dropped ${unknown} detections whose label is not in [0, ${catIds.length})`);
    const dets = allocateDetections(total);
    let j = 0;
    for (const r of results) {
      for (let i = 0; i < r.labels.length; i += 1) {
        const label = r.labels[i]!;
        if (!(label >= 0 && label < catIds.length)) continue;
        const b = r.bboxes, x1 = b[4 * i]!, y1 = b[4 * i + 1]!;
        dets.imageIds[j] = r.img_id;
        dets.categoryIds[j] = catIds[label]!;
        dets.boxes[4 * j] = x1;
        dets.boxes[4 * j + 1] = y1;
        dets.boxes[4 * j + 2] = b[4 * i + 2]! - x1;
        dets.boxes[4 * j + 3] = b[4 * i + 3]! - y1;
        dets.scores[j] = r.scores[i]!;
        j += 1;
      }
    }
    return dets;
  }

  /** pycocotools' `loadRes` refuses results for images the ground truth lacks: usually the wrong ann_file. */
  private checkImageIds(coco: CocoJson, dets: CocoDetections): void {
    const known = new Set(coco.images.map((im) => im.id));
    const strangers = [...new Set(dets.imageIds)].filter((id) => !known.has(id));
    if (strangers.length > 0) {
      throw new DetlabError(
        `CocoMetric: predictions for ${strangers.length} image id(s) that ${this.cocoSource || 'the ground truth'} does not have (${strangers.slice(0, 5).join(', ')}${strangers.length > 5 ? ', ...' : ''})`,
        { hint: 'Results do not correspond to the current COCO set: check that ann_file belongs to the evaluated dataset.' },
      );
    }
  }
}

/** Category id of each label: `cat_ids` when given, else the category named `classes[i]`, else all in file order. */
function labelCatIds(coco: CocoJson, catIds: readonly number[] | undefined, classes: readonly string[] | undefined, source: string): number[] {
  if (catIds?.length) return [...catIds];
  if (!classes?.length) return coco.categories.map((c) => c.id);
  return classes.map((name) => {
    const category = coco.categories.find((c) => c.name === name);
    if (!category) {
      throw new DetlabError(`CocoMetric: class '${name}' has no category in ${source}; it has ${coco.categories.map((c) => `'${c.name}'`).join(', ')}`, {
        hint: 'Make metainfo.classes of the dataset name categories of this annotation file.',
      });
    }
    return category.id;
  });
}

/** Checks the parts of a parsed file the evaluation relies on. */
function asCocoJson(raw: unknown, file: string): CocoJson {
  const o = raw as Partial<CocoJson> | null;
  for (const key of ['images', 'categories'] as const) {
    if (!Array.isArray(o?.[key])) {
      throw new DetlabError(`${file}: expected a COCO annotation file with a '${key}' list, got ${describeValue(o?.[key])}`);
    }
  }
  if (o!.annotations !== undefined && !Array.isArray(o!.annotations)) throw new DetlabError(`${file}: expected 'annotations' to be a list`);
  return o as CocoJson;
}

/** Writes `data` as JSON, creating the folder, as mmengine's `dump` does. */
function writeJson(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(data));
}
