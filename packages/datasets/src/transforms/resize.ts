/**
 * Resizes the image and its boxes; mirrors mmdet `Resize` (`mmdet/datasets/transforms/transforms.py`) over
 * mmcv's `imrescale`/`imresize`.
 *
 * With `keep_ratio`, the factor is `min(long_target / long_side, short_target / short_side)` and each side
 * becomes `int(side · factor + 0.5)` (mmcv `rescale_size`): 640×480 with scale [1333, 800] → factor 800/480,
 * 1067×800. Without it the image is stretched to exactly `scale`. `scale_factor` records the realised
 * [new_w / w, new_h / h], which is what predictions are divided by. Boxes are scaled by it and, with
 * `clip_object_border`, clipped to the new image.
 *
 * @example
 * { type: 'Resize', scale: [1333, 800], keep_ratio: true }
 */
import { z } from 'zod';
import { TRANSFORMS, parseOptions } from '@detlab/core';
import { resizeImage } from './image-ops.js';
import { need, type Transform, type TransformResults } from './transform.js';

const size = z.union([z.int().positive(), z.tuple([z.int().positive(), z.int().positive()])]);
const factor = z.union([z.number().positive(), z.tuple([z.number().positive(), z.number().positive()])]);

/**
 * Options of `Resize`: exactly one of `scale` ([w, h], or one number for a square) and `scale_factor`.
 *
 * @example
 * resizeSchema.parse({ scale: [1333, 800], keep_ratio: true });
 */
export const resizeSchema = z
  .strictObject({
    /** Target [w, h] (mmcv order); with keep_ratio, the long and short side limits in either order. */
    scale: size.optional(),
    /** Multiplier of the input size instead of a target size. */
    scale_factor: factor.optional(),
    keep_ratio: z.boolean().default(false),
    /** Clip boxes to the resized image. */
    clip_object_border: z.boolean().default(true),
    /** Accepted for mmdet configs; pixels are resized as cv2 does. */
    backend: z.enum(['cv2', 'pillow']).default('cv2'),
    interpolation: z.enum(['bilinear', 'nearest']).default('bilinear'),
  })
  .superRefine((o, ctx) => {
    if ((o.scale === undefined) === (o.scale_factor === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['scale'], message: 'expected exactly one of scale and scale_factor' });
    }
  });

/**
 * Options of `Resize`.
 *
 * @example
 * const options: ResizeOptions = { scale: [128, 128], keep_ratio: true };
 */
export type ResizeOptions = z.input<typeof resizeSchema>;

/**
 * Resizes image and boxes; see the file comment.
 *
 * @example
 * train_pipeline: [{ type: 'LoadImageFromFile' }, { type: 'LoadAnnotations' }, { type: 'Resize', scale: [1333, 800], keep_ratio: true }]
 */
@TRANSFORMS.register({ name: 'Resize', schema: resizeSchema, description: 'Resize image and boxes (mmcv rescale rule with keep_ratio)' })
export class Resize implements Transform {
  readonly options: z.output<typeof resizeSchema>;

  constructor(options: ResizeOptions) {
    this.options = parseOptions(resizeSchema, options, 'Resize') as z.output<typeof resizeSchema>;
  }

  transform(results: TransformResults): TransformResults {
    const img = need(results, 'img', 'Resize', 'LoadImageFromFile');
    const [h, w] = need(results, 'img_shape', 'Resize', 'LoadImageFromFile');
    const { scale, scale_factor: factorOption, keep_ratio: keepRatio } = this.options;
    const target: [number, number] =
      scale !== undefined ? (typeof scale === 'number' ? [scale, scale] : scale) : scaleSize([w, h], factorOption!);
    const [newW, newH] = keepRatio ? rescaleSize([w, h], target) : target;
    const sx = newW / w;
    const sy = newH / h;
    results.img = resizeImage(img, [h, w], [newH, newW], this.options.interpolation);
    results.img_shape = [newH, newW];
    results.scale = target;
    results.scale_factor = [sx, sy];
    results.keep_ratio = keepRatio;
    if (results.gt_bboxes) results.gt_bboxes = scaleBoxes(results.gt_bboxes, sx, sy, this.options.clip_object_border ? [newH, newW] : undefined);
    return results;
  }
}

/**
 * The [w, h] mmcv's `rescale_size` gives `size` = [w, h] under the limits `scale` = [w, h] (order-free): factor
 * `min(max(scale) / max(w, h), min(scale) / min(w, h))`, each side `int(side · factor + 0.5)`.
 *
 * @example
 * rescaleSize([640, 480], [1333, 800]); // [1067, 800]
 */
export function rescaleSize(size: [number, number], scale: [number, number]): [number, number] {
  const [w, h] = size;
  const factorValue = Math.min(Math.max(...scale) / Math.max(w, h), Math.min(...scale) / Math.min(w, h));
  return scaleSize(size, factorValue);
}

/**
 * mmcv `_scale_size`: [int(w · sx + 0.5), int(h · sy + 0.5)].
 *
 * @example
 * scaleSize([640, 480], 0.5); // [320, 240]
 */
export function scaleSize(size: [number, number], factorValue: number | [number, number]): [number, number] {
  const [fx, fy] = typeof factorValue === 'number' ? [factorValue, factorValue] : factorValue;
  return [Math.floor(size[0] * fx + 0.5), Math.floor(size[1] * fy + 0.5)];
}

/** Boxes × [sx, sy, sx, sy] (new array), clipped to [0, w] × [0, h] of `clipTo` = [h, w] when given. */
function scaleBoxes(boxes: Float32Array, sx: number, sy: number, clipTo?: [number, number]): Float32Array {
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = boxes[i] * sx;
    out[i + 1] = boxes[i + 1] * sy;
    out[i + 2] = boxes[i + 2] * sx;
    out[i + 3] = boxes[i + 3] * sy;
    if (clipTo) {
      const [h, w] = clipTo;
      out[i] = Math.min(Math.max(out[i], 0), w);
      out[i + 1] = Math.min(Math.max(out[i + 1], 0), h);
      out[i + 2] = Math.min(Math.max(out[i + 2], 0), w);
      out[i + 3] = Math.min(Math.max(out[i + 3], 0), h);
    }
  }
  return out;
}
