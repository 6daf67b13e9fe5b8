/**
 * The batch contract between datasets and detectors; mirrors mmdet's `DetDataSample` and the
 * `{inputs, data_samples}` dict that `PackDetInputs` and `pseudo_collate` hand to a model's data preprocessor.
 *
 * Plain data only (typed arrays and numbers, no tensors), so a dataset can build it without tfjs state and a
 * batch can be kept and reused across steps. Key names are mmdet's (`gt_instances`, `img_shape`,
 * `scale_factor`), so code and configs read the same. Shapes are always `[h, w]`; scale factors `[sx, sy]`
 * (width first), as mmdet's `Resize` stores them.
 *
 * @example
 * // what a dataset's pipeline yields for a batch of one 600×800 image resized to 800×1067:
 * const batch: DetBatch = {
 *   inputs: [{ data: pixels, shape: [800, 1067, 3] }],
 *   data_samples: [{
 *     gt_instances: { bboxes: Float32Array.of(10, 20, 110, 220), labels: Int32Array.of(3) },
 *     metainfo: { img_id: 42, ori_shape: [600, 800], img_shape: [800, 1067], scale_factor: [1.33375, 1.3333] },
 *   }],
 * };
 */
import { DetlabError } from '@detlab/core';

/**
 * Boxes of one image with their class indices: `bboxes` n × 4 x1y1x2y2 in `img_shape` pixels (after resizing),
 * `labels` n class indices in [0, num_classes).
 *
 * @example
 * const gt: DetInstances = { bboxes: Float32Array.of(0, 0, 10, 10), labels: Int32Array.of(0) };
 */
export interface DetInstances {
  bboxes: Float32Array;
  labels: Int32Array;
}

/**
 * Per-image facts the model needs beyond pixels. Extra keys (`flip_direction`, ...) pass through untouched.
 *
 * @example
 * const meta: DetMetaInfo = { ori_shape: [480, 640], img_shape: [800, 1067], scale_factor: [1.6672, 1.6667] };
 */
export interface DetMetaInfo {
  img_id?: number | string;
  img_path?: string;
  /** [h, w] of the image as loaded, before any resize. */
  ori_shape: [number, number];
  /** [h, w] after the pipeline's resize: the valid region of the (padded) input. */
  img_shape: [number, number];
  /** [sx, sy] = img_shape / ori_shape per axis; predictions are divided by it to return to ori_shape. */
  scale_factor: [number, number];
  /** [h, w] of this image padded to the preprocessor's size divisor (set by the data preprocessor). */
  pad_shape?: [number, number];
  /** [h, w] of the whole padded batch tensor (set by the data preprocessor). */
  batch_input_shape?: [number, number];
  flip?: boolean;
  [key: string]: unknown;
}

/**
 * Annotations and meta information of one image (mmdet `DetDataSample`).
 *
 * @example
 * const sample: DetDataSample = { metainfo: { ori_shape: [64, 64], img_shape: [64, 64], scale_factor: [1, 1] } };
 */
export interface DetDataSample {
  /** Ground truth; absent at test time. An image without objects has zero-length arrays (negatives only). */
  gt_instances?: DetInstances;
  /** Crowd or ignored regions: anchors overlapping them are neither positive nor negative. */
  ignored_instances?: { bboxes: Float32Array; labels?: Int32Array };
  metainfo: DetMetaInfo;
}

/**
 * One image per entry: `data` h·w·3 values, HWC, channels in the order loaded (BGR, as OpenCV/mmcv load them).
 *
 * @example
 * const inputs: DetInputs = [{ data: new Uint8Array(64 * 64 * 3), shape: [64, 64, 3] }];
 */
export type DetInputs = Array<{ data: Uint8Array | Float32Array; shape: [number, number, 3] }>;

/**
 * What a detector's `loss` and `predict` take: images and their samples, index-aligned.
 *
 * @example
 * detector.loss({ inputs, data_samples }); // { loss_cls, loss_bbox, loss_centerness }
 */
export interface DetBatch {
  inputs: DetInputs;
  data_samples: DetDataSample[];
}

/**
 * Detections of one image: n boxes x1y1x2y2 (in `ori_shape` pixels when predicted with rescale), their scores,
 * sorted descending, and class indices.
 *
 * @example
 * const [first] = await detector.predict(batch); // first.bboxes.subarray(0, 4): the best box
 */
export interface DetPrediction {
  bboxes: Float32Array;
  scores: Float32Array;
  labels: Int32Array;
}

/**
 * Number of GT boxes of a sample (0 without `gt_instances`).
 *
 * @example
 * numInstances({ metainfo, gt_instances: { bboxes: new Float32Array(8), labels: new Int32Array(2) } }); // 2
 */
export function numInstances(sample: DetDataSample): number {
  return sample.gt_instances ? sample.gt_instances.labels.length : 0;
}

/**
 * Throws a `DetlabError` naming the image index and the field when `batch` breaks the contract: as many samples
 * as inputs, `data.length = h·w·3`, 4 box values per label, a metainfo with `img_shape`, `ori_shape` and
 * `scale_factor`. Called at the top of data preprocessors; code after it trusts the batch.
 *
 * @example
 * assertDetBatch(batch, 'DetDataPreprocessor.forward');
 */
export function assertDetBatch(batch: DetBatch, where: string): void {
  const fail = (message: string): never => {
    throw new DetlabError(`${where}: ${message}`);
  };
  if (batch.inputs.length === 0) fail('expected at least one image, got an empty batch');
  if (batch.inputs.length !== batch.data_samples.length) {
    fail(`expected one data sample per input, got ${batch.inputs.length} inputs and ${batch.data_samples.length} data_samples`);
  }
  batch.inputs.forEach(({ data, shape }, i) => {
    const [h, w, c] = shape;
    if (c !== 3 || !(h > 0) || !(w > 0)) fail(`inputs[${i}].shape: expected [h, w, 3] with h, w > 0, got [${shape.join(', ')}]`);
    if (data.length !== h * w * c) fail(`inputs[${i}].data: expected ${h}·${w}·3 = ${h * w * c} values for shape [${shape.join(', ')}], got ${data.length}`);
  });
  batch.data_samples.forEach(({ gt_instances: gt, metainfo }, i) => {
    for (const key of ['img_shape', 'ori_shape', 'scale_factor'] as const) {
      if (!Array.isArray(metainfo?.[key]) || metainfo[key].length !== 2) fail(`data_samples[${i}].metainfo.${key}: expected a pair of numbers, got ${JSON.stringify(metainfo?.[key])}`);
    }
    if (gt && gt.bboxes.length !== 4 * gt.labels.length) {
      fail(`data_samples[${i}].gt_instances: expected 4 box values per label, got ${gt.bboxes.length} values for ${gt.labels.length} labels`);
    }
  });
}
