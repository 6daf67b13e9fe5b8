/**
 * What `CocoMetric.process` reads from one image: its predictions and its id (plus, without other ground
 * truth, its original size and annotations), from whichever of the shapes a validation loop hands over:
 *
 * - detlab's loop: `process(batch, outputs)`, `outputs[i]` the detector's prediction `{ bboxes, scores, labels }`
 *   and the image's facts in `batch.data_samples[i].metainfo`;
 * - mmdet's: `process(batch, data_samples)`, each sample carrying `pred_instances` and `img_id` (at its top or in
 *   its `metainfo`).
 */
import { DetlabError } from '@detlab/core';
import type { GtInstance } from './gt-to-coco.js';

/** Numbers as a typed array, a plain array, or a tensor (anything with `dataSync()`). */
export type NumbersLike = ArrayLike<number> | { dataSync(): ArrayLike<number> };

/**
 * A detector's output for one image: n boxes x1y1x2y2 in original-image pixels, n scores, n class indices.
 *
 * @example
 * const prediction: CocoPrediction = { bboxes: Float32Array.of(10, 20, 110, 220), scores: Float32Array.of(0.9), labels: Int32Array.of(3) };
 */
export interface CocoPrediction {
  bboxes: NumbersLike;
  scores: NumbersLike;
  labels: NumbersLike;
}

/**
 * Facts about an image, at a sample's top level or in its `metainfo`.
 *
 * @example
 * const meta: SampleMeta = { img_id: 42, ori_shape: [480, 640] };
 */
export interface SampleMeta {
  img_id?: number | string;
  /** [h, w] of the image as loaded. */
  ori_shape?: readonly number[];
  /** Ground truth in original-image pixels; needed only when the metric has no annotation file. */
  instances?: readonly GtInstance[];
  metainfo?: SampleMeta;
}

/**
 * A data sample in mmdet's form: the image's facts and the detector's `pred_instances`.
 *
 * @example
 * const sample: CocoMetricSample = {
 *   metainfo: { img_id: 42, ori_shape: [480, 640] },
 *   pred_instances: { bboxes: Float32Array.of(10, 20, 110, 220), scores: Float32Array.of(0.9), labels: Int32Array.of(3) },
 * };
 */
export interface CocoMetricSample extends SampleMeta {
  pred_instances: CocoPrediction;
}

/**
 * One image as the metric reads it, arrays copied (the loop may reuse or dispose its own).
 *
 * @example
 * const { imgId, bboxes } = readSample(outputs[0], batch.data_samples[0]);
 */
export interface ReadSample {
  imgId: number;
  bboxes: Float32Array;
  scores: Float32Array;
  labels: Int32Array;
  oriShape?: readonly number[];
  instances?: readonly GtInstance[];
}

/**
 * Reads `output` (a prediction or an mmdet data sample), taking the facts it lacks from `batchSample` (the
 * batch's data sample at the same index); throws naming what is missing or inconsistent.
 *
 * @example
 * readSample({ bboxes: [0, 0, 4, 4], scores: [0.5], labels: [0] }, { metainfo: { img_id: 1 } }).imgId; // 1
 */
export function readSample(output: CocoMetricSample | CocoPrediction, batchSample: SampleMeta | undefined): ReadSample {
  const metas = [output as SampleMeta, (output as SampleMeta).metainfo, batchSample, batchSample?.metainfo];
  const pick = <K extends keyof SampleMeta>(key: K): SampleMeta[K] => metas.find((m) => m?.[key] !== undefined)?.[key];
  const rawId = pick('img_id');
  const imgId = Number(rawId);
  if (rawId === undefined || rawId === '' || !Number.isFinite(imgId)) {
    throw new DetlabError(
      `CocoMetric.process: expected a numeric img_id in each output, its metainfo or the batch's data_samples[i].metainfo, got ${String(rawId)}`,
    );
  }
  const pred = 'pred_instances' in output && output.pred_instances ? output.pred_instances : (output as Partial<CocoPrediction>);
  if (pred.bboxes === undefined || pred.scores === undefined || pred.labels === undefined) {
    throw new DetlabError(`CocoMetric.process: image ${imgId}: expected a prediction { bboxes, scores, labels } or a sample with pred_instances`);
  }
  const bboxes = new Float32Array(numbers(pred.bboxes));
  const scores = new Float32Array(numbers(pred.scores));
  const labels = new Int32Array(numbers(pred.labels));
  if (bboxes.length !== 4 * scores.length || labels.length !== scores.length) {
    throw new DetlabError(
      `CocoMetric.process: image ${imgId}: expected 4 box values, 1 score and 1 label per detection, got ${bboxes.length} box values, ${scores.length} scores and ${labels.length} labels`,
    );
  }
  return { imgId, bboxes, scores, labels, oriShape: pick('ori_shape'), instances: pick('instances') };
}

function numbers(value: NumbersLike): ArrayLike<number> {
  return 'dataSync' in value && typeof value.dataSync === 'function' ? value.dataSync() : (value as ArrayLike<number>);
}
