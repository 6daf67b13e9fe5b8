/**
 * Turns the dataset's `instances` into box, label and ignore-flag arrays; mirrors mmdet `LoadAnnotations`
 * (`mmdet/datasets/transforms/loading.py`) for boxes.
 *
 * `gt_bboxes` (Float32Array n × 4, x1y1x2y2), `gt_ignore_flags` (Uint8Array, 1 for crowd regions) and, with
 * `with_label`, `gt_bboxes_labels` (Int32Array). Masks and segmentation maps are not supported.
 *
 * @example
 * { type: 'LoadAnnotations', with_bbox: true }
 */
import { z } from 'zod';
import { TRANSFORMS, parseOptions } from '@detlab/core';
import type { Transform, TransformResults } from './transform.js';

/**
 * Options of `LoadAnnotations`, keys as mmdet's.
 *
 * @example
 * loadAnnotationsSchema.parse({ with_bbox: true }); // { with_bbox: true, with_label: true }
 */
export const loadAnnotationsSchema = z.strictObject({
  with_bbox: z.boolean().default(true),
  with_label: z.boolean().default(true),
  /** Accepted as false only, so mmdet configs that spell it out still load. */
  with_mask: z.literal(false).optional(),
  with_seg: z.literal(false).optional(),
  backend_args: z.null().optional(),
});

/**
 * Options of `LoadAnnotations`.
 *
 * @example
 * const options: LoadAnnotationsOptions = { with_bbox: true, with_label: true };
 */
export type LoadAnnotationsOptions = z.input<typeof loadAnnotationsSchema>;

/**
 * Loads boxes, labels and ignore flags from `results.instances`; see the file comment.
 *
 * @example
 * pipeline: [{ type: 'LoadImageFromFile' }, { type: 'LoadAnnotations', with_bbox: true }, { type: 'PackDetInputs' }]
 */
@TRANSFORMS.register({ name: 'LoadAnnotations', schema: loadAnnotationsSchema, description: 'Load boxes, labels and crowd flags from the data info' })
export class LoadAnnotations implements Transform {
  readonly options: z.output<typeof loadAnnotationsSchema>;

  constructor(options: LoadAnnotationsOptions = {}) {
    this.options = parseOptions(loadAnnotationsSchema, options, 'LoadAnnotations') as z.output<typeof loadAnnotationsSchema>;
  }

  transform(results: TransformResults): TransformResults {
    const instances = results.instances ?? [];
    const n = instances.length;
    if (this.options.with_bbox) {
      const bboxes = new Float32Array(n * 4);
      const ignore = new Uint8Array(n);
      instances.forEach((instance, i) => {
        bboxes.set(instance.bbox, i * 4);
        ignore[i] = instance.ignore_flag;
      });
      results.gt_bboxes = bboxes;
      results.gt_ignore_flags = ignore;
    }
    if (this.options.with_label) results.gt_bboxes_labels = Int32Array.from(instances, (instance) => instance.bbox_label);
    return results;
  }
}
