/**
 * Flips the image and its boxes at random; mirrors mmdet `RandomFlip` over mmcv's
 * (`mmcv/transforms/processing.py`).
 *
 * With one direction, it flips with probability `prob`. With a list of directions and one `prob`, that
 * probability is shared equally among them; with a list of probabilities, each goes with its direction.
 * Boxes follow mmdet 3.x: horizontally x1' = w − x2, x2' = w − x1 (vertical likewise with h). Sets `flip` and
 * `flip_direction` (null when not flipped). The draw comes from the sample's generator, so a sample flips the
 * same way in every run with the same seed, epoch and index.
 *
 * @example
 * { type: 'RandomFlip', prob: 0.5 }
 */
import { z } from 'zod';
import { TRANSFORMS, parseOptions } from '@detlab/core';
import { flipImage } from './image-ops.js';
import { need, type FlipDirection, type Transform, type TransformContext, type TransformResults } from './transform.js';

const direction = z.enum(['horizontal', 'vertical', 'diagonal']);
const probability = z.number().min(0).max(1);

/**
 * Options of `RandomFlip`.
 *
 * @example
 * randomFlipSchema.parse({ prob: [0.3, 0.3], direction: ['horizontal', 'vertical'] });
 */
export const randomFlipSchema = z
  .strictObject({
    prob: z.union([probability, z.array(probability)]),
    direction: z.union([direction, z.array(direction).min(1)]).default('horizontal'),
  })
  .superRefine((o, ctx) => {
    if (!Array.isArray(o.prob)) return;
    const directions = Array.isArray(o.direction) ? o.direction.length : 1;
    if (o.prob.length !== directions) {
      ctx.addIssue({ code: 'custom', path: ['prob'], message: `expected one probability per direction (${directions}), got ${o.prob.length}` });
    } else if (o.prob.reduce((a, b) => a + b, 0) > 1) {
      ctx.addIssue({ code: 'custom', path: ['prob'], message: `expected probabilities summing to at most 1, got [${o.prob.join(', ')}]` });
    }
  });

/**
 * Options of `RandomFlip`.
 *
 * @example
 * const options: RandomFlipOptions = { prob: 0.5, direction: 'horizontal' };
 */
export type RandomFlipOptions = z.input<typeof randomFlipSchema>;

/**
 * Random flip of image and boxes; see the file comment.
 *
 * @example
 * train_pipeline: [..., { type: 'Resize', scale: [1333, 800], keep_ratio: true }, { type: 'RandomFlip', prob: 0.5 }, { type: 'PackDetInputs' }]
 */
@TRANSFORMS.register({ name: 'RandomFlip', schema: randomFlipSchema, description: 'Flip image and boxes with a probability (seeded per sample)' })
export class RandomFlip implements Transform {
  readonly options: z.output<typeof randomFlipSchema>;
  /** Directions and their probabilities; the remaining probability is "no flip". */
  private readonly choices: Array<{ direction: FlipDirection; p: number }>;

  constructor(options: RandomFlipOptions) {
    const o = (this.options = parseOptions(randomFlipSchema, options, 'RandomFlip') as z.output<typeof randomFlipSchema>);
    const directions = Array.isArray(o.direction) ? o.direction : [o.direction];
    this.choices = directions.map((d, i) => ({ direction: d, p: Array.isArray(o.prob) ? o.prob[i] : o.prob / directions.length }));
  }

  transform(results: TransformResults, ctx: TransformContext): TransformResults {
    const chosen = this.choose(ctx.rng.random());
    results.flip = chosen !== null;
    results.flip_direction = chosen;
    if (chosen === null) return results;
    const img = need(results, 'img', 'RandomFlip', 'LoadImageFromFile');
    const shape = need(results, 'img_shape', 'RandomFlip', 'LoadImageFromFile');
    results.img = flipImage(img, shape, chosen);
    if (results.gt_bboxes) results.gt_bboxes = flipBoxes(results.gt_bboxes, shape, chosen);
    return results;
  }

  /** The direction whose cumulative probability interval holds `u`, or null past the last one. */
  private choose(u: number): FlipDirection | null {
    let acc = 0;
    for (const { direction: d, p } of this.choices) {
      acc += p;
      if (u < acc) return d;
    }
    return null;
  }
}

/**
 * Boxes x1y1x2y2 mirrored inside an image of `shape` = [h, w] (new array), as mmdet 3.x `flip_`.
 *
 * @example
 * flipBoxes(Float32Array.of(10, 20, 30, 40), [100, 200], 'horizontal'); // 170, 20, 190, 40
 */
export function flipBoxes(boxes: Float32Array, shape: [number, number], direction: FlipDirection): Float32Array {
  const [h, w] = shape;
  const out = Float32Array.from(boxes);
  for (let i = 0; i < boxes.length; i += 4) {
    if (direction !== 'vertical') {
      out[i] = w - boxes[i + 2];
      out[i + 2] = w - boxes[i];
    }
    if (direction !== 'horizontal') {
      out[i + 1] = h - boxes[i + 3];
      out[i + 3] = h - boxes[i + 1];
    }
  }
  return out;
}
