/**
 * Packs a sample for the model: the image as `input` and a `DetDataSample`; mirrors mmdet `PackDetInputs`
 * (`mmdet/datasets/transforms/formatting.py`).
 *
 * Instances whose `gt_ignore_flags` is 1 (crowds) go to `ignored_instances`, the rest to `gt_instances`, as
 * in mmdet. `metainfo` holds the `meta_keys` present in the results; detlab's `DetMetaInfo` needs
 * `scale_factor`, so a pipeline without Resize gets [1, 1]. Every typed array in the output owns its buffer,
 * so a worker can transfer it instead of copying.
 *
 * @example
 * { type: 'PackDetInputs', meta_keys: ['img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'] }
 */
import { z } from 'zod';
import { TRANSFORMS, parseOptions } from '@detlab/core';
import type { DetDataSample, DetMetaInfo } from '@detlab/tensor';
import { need, type PackedDetInputs, type Transform, type TransformResults } from './transform.js';

/**
 * mmdet's default `meta_keys`.
 *
 * @example
 * { type: 'PackDetInputs', meta_keys: [...DEFAULT_META_KEYS, 'pad_shape'] }
 */
export const DEFAULT_META_KEYS = ['img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip', 'flip_direction'] as const;

/**
 * Options of `PackDetInputs`.
 *
 * @example
 * packDetInputsSchema.parse({}); // { meta_keys: DEFAULT_META_KEYS }
 */
export const packDetInputsSchema = z.strictObject({
  meta_keys: z.array(z.string()).default([...DEFAULT_META_KEYS]),
});

/**
 * Options of `PackDetInputs`.
 *
 * @example
 * const options: PackDetInputsOptions = { meta_keys: ['img_id', 'ori_shape', 'img_shape', 'scale_factor'] };
 */
export type PackDetInputsOptions = z.input<typeof packDetInputsSchema>;

/**
 * Packs image, instances and meta information; see the file comment. It ends every detection pipeline.
 *
 * @example
 * test_pipeline: [{ type: 'LoadImageFromFile' }, { type: 'Resize', scale: [1333, 800], keep_ratio: true }, { type: 'PackDetInputs' }]
 */
@TRANSFORMS.register({ name: 'PackDetInputs', schema: packDetInputsSchema, description: 'Pack image and instances into { input, data_sample }' })
export class PackDetInputs implements Transform {
  readonly options: z.output<typeof packDetInputsSchema>;

  constructor(options: PackDetInputsOptions = {}) {
    this.options = parseOptions(packDetInputsSchema, options, 'PackDetInputs') as z.output<typeof packDetInputsSchema>;
  }

  transform(results: TransformResults): PackedDetInputs {
    const img = need(results, 'img', 'PackDetInputs', 'LoadImageFromFile');
    const [h, w] = need(results, 'img_shape', 'PackDetInputs', 'LoadImageFromFile');
    const metainfo: Record<string, unknown> = {};
    for (const key of this.options.meta_keys) if (results[key] !== undefined) metainfo[key] = results[key];
    metainfo.scale_factor ??= [1, 1];
    metainfo.ori_shape ??= results.ori_shape ?? [h, w];
    metainfo.img_shape ??= [h, w];
    const sample: DetDataSample = { metainfo: metainfo as DetMetaInfo };
    if (results.gt_bboxes) {
      const labels = results.gt_bboxes_labels ?? new Int32Array(results.gt_bboxes.length / 4);
      const flags = results.gt_ignore_flags;
      if (flags) {
        sample.gt_instances = select(results.gt_bboxes, labels, flags, 0);
        sample.ignored_instances = select(results.gt_bboxes, labels, flags, 1);
      } else sample.gt_instances = { bboxes: Float32Array.from(results.gt_bboxes), labels: Int32Array.from(labels) };
    }
    return { input: { data: img, shape: [h, w, 3] }, data_sample: sample };
  }
}

/** Boxes and labels whose flag equals `flag`, in new arrays. */
function select(bboxes: Float32Array, labels: Int32Array, flags: Uint8Array, flag: 0 | 1): { bboxes: Float32Array; labels: Int32Array } {
  const keep: number[] = [];
  flags.forEach((f, i) => {
    if (f === flag) keep.push(i);
  });
  const outBoxes = new Float32Array(keep.length * 4);
  keep.forEach((k, j) => outBoxes.set(bboxes.subarray(k * 4, k * 4 + 4), j * 4));
  return { bboxes: outBoxes, labels: Int32Array.from(keep, (k) => labels[k]) };
}
