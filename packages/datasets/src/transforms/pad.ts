/**
 * Pads the image at the bottom and right; mirrors mmdet `Pad` over mmcv's (`mmcv/transforms/processing.py`).
 *
 * To a fixed `size` [w, h], to the next multiple of `size_divisor` on each side, or to a square (`pad_to_square`,
 * then optionally up to the divisor). Boxes keep their coordinates (the top-left corner does not move). Sets
 * `pad_shape` ([h, w]), `pad_fixed_size`, `pad_size_divisor` and, as mmcv does, `img_shape` to the padded size.
 * Detectors usually pad whole batches in the data preprocessor instead (`pad_size_divisor: 32` for ATSS).
 *
 * @example
 * { type: 'Pad', size_divisor: 32, pad_val: { img: 0 } }
 */
import { z } from 'zod';
import { DetlabError, TRANSFORMS, parseOptions } from '@detlab/core';
import { padImage } from './image-ops.js';
import { need, type Transform, type TransformResults } from './transform.js';

const value = z.union([z.number(), z.tuple([z.number(), z.number(), z.number()])]);

/**
 * Options of `Pad`: one of `size`, `size_divisor` or `pad_to_square` (the last may combine with `size_divisor`).
 *
 * @example
 * padSchema.parse({ size_divisor: 32 }); // pad_val { img: 0, seg: 255 }
 */
export const padSchema = z
  .strictObject({
    /** Fixed target [w, h] (mmcv order). */
    size: z.tuple([z.int().positive(), z.int().positive()]).optional(),
    size_divisor: z.int().positive().optional(),
    pad_to_square: z.boolean().default(false),
    /** A value for every channel, one per channel, or mmcv's `{ img, seg }` form. */
    pad_val: z
      .union([value, z.strictObject({ img: value.default(0), seg: z.number().default(255) })])
      .default({ img: 0, seg: 255 }),
    padding_mode: z.literal('constant').default('constant'),
  })
  .superRefine((o, ctx) => {
    const fixed = o.size !== undefined;
    if (fixed === (o.size_divisor !== undefined || o.pad_to_square)) {
      ctx.addIssue({ code: 'custom', path: ['size'], message: 'expected exactly one of size, size_divisor and pad_to_square (size_divisor may combine with pad_to_square)' });
    }
  });

/**
 * Options of `Pad`.
 *
 * @example
 * const options: PadOptions = { size: [1344, 800] };
 */
export type PadOptions = z.input<typeof padSchema>;

/**
 * Pads the image; see the file comment.
 *
 * @example
 * pipeline: [..., { type: 'Resize', scale: [1333, 800], keep_ratio: true }, { type: 'Pad', size_divisor: 32 }, { type: 'PackDetInputs' }]
 */
@TRANSFORMS.register({ name: 'Pad', schema: padSchema, description: 'Pad the image at bottom/right to a size or a multiple of size_divisor' })
export class Pad implements Transform {
  readonly options: z.output<typeof padSchema>;

  constructor(options: PadOptions) {
    this.options = parseOptions(padSchema, options, 'Pad') as z.output<typeof padSchema>;
  }

  transform(results: TransformResults): TransformResults {
    const img = need(results, 'img', 'Pad', 'LoadImageFromFile');
    const shape = need(results, 'img_shape', 'Pad', 'LoadImageFromFile');
    const to = padTarget(shape, this.options);
    if (to[0] < shape[0] || to[1] < shape[1]) {
      throw new DetlabError(`Pad: size [${this.options.size!.join(', ')}] (w, h) is smaller than the image [${shape[1]}, ${shape[0]}] (w, h)`, {
        hint: 'Resize the image first, or pad to a larger size (or use size_divisor).',
      });
    }
    const raw = this.options.pad_val;
    const fill = typeof raw === 'number' || Array.isArray(raw) ? raw : raw.img;
    results.img = padImage(img, shape, to, typeof fill === 'number' ? [fill, fill, fill] : fill);
    results.pad_shape = to;
    results.pad_fixed_size = this.options.size ?? null;
    results.pad_size_divisor = this.options.size_divisor ?? null;
    results.img_shape = to;
    return results;
  }
}

/**
 * The padded [h, w] of an image of `shape` = [h, w] under the options (mmcv `Pad._pad_img`).
 *
 * @example
 * padTarget([800, 1067], { size_divisor: 32, pad_to_square: false }); // [800, 1088]
 */
export function padTarget(shape: [number, number], options: Pick<z.output<typeof padSchema>, 'size' | 'size_divisor' | 'pad_to_square'>): [number, number] {
  if (options.size) return [options.size[1], options.size[0]];
  let [h, w] = shape;
  if (options.pad_to_square) h = w = Math.max(h, w);
  const d = options.size_divisor;
  return d ? [Math.ceil(h / d) * d, Math.ceil(w / d) * d] : [h, w];
}
