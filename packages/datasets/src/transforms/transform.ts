/**
 * The transform contract: mmcv's results dict passed through a pipeline, plus the sample's random generator.
 *
 * Keys are mmcv's (`img`, `img_shape`, `gt_bboxes`, `scale_factor`, ...), so a transform ported from mmdet reads
 * the same. Images are HWC with 3 channels, row-major, `img.length = h·w·3`; shapes are `[h, w]`; boxes are
 * Float32Array n × 4 x1y1x2y2. Random transforms draw only from `ctx.rng`, which the dataset derives from
 * (seed, epoch, index): a sample is augmented the same way whichever worker runs it.
 *
 * @example
 * \@TRANSFORMS.register({ name: 'Invert', schema: z.strictObject({}) })
 * class Invert implements Transform {
 *   transform(results: TransformResults): TransformResults {
 *     const img = results.img as Uint8Array;
 *     for (let i = 0; i < img.length; i += 1) img[i] = 255 - img[i];
 *     return results;
 *   }
 * }
 */
import { DetlabError } from '@detlab/core';
import type { DetDataSample, DetInputs } from '@detlab/tensor';
import type { DataInstance } from '../datasets/data-info.js';
import type { Rng } from '../utils/rng.js';

/**
 * Directions `RandomFlip` knows, as in mmcv.
 *
 * @example
 * { type: 'RandomFlip', prob: 0.5, direction: 'horizontal' }
 */
export type FlipDirection = 'horizontal' | 'vertical' | 'diagonal';

/**
 * The results dict a pipeline passes along (mmcv naming). Extra keys pass through untouched.
 *
 * @example
 * const results: TransformResults = { img_id: 1, img_path: 'a.png', instances: [] };
 */
export interface TransformResults {
  img_id?: number;
  img_path?: string;
  instances?: DataInstance[];
  /** HWC pixels, channels in `channel_order` (BGR by default). */
  img?: Uint8Array | Float32Array;
  /** [h, w] of `img` now. */
  img_shape?: [number, number];
  /** [h, w] of the image as loaded. */
  ori_shape?: [number, number];
  gt_bboxes?: Float32Array;
  gt_bboxes_labels?: Int32Array;
  /** 1 where the instance is ignored (crowd). */
  gt_ignore_flags?: Uint8Array;
  /** The target [w, h] Resize aimed at. */
  scale?: [number, number];
  /** [sx, sy]: img_shape / ori_shape per axis. */
  scale_factor?: [number, number];
  keep_ratio?: boolean;
  flip?: boolean;
  flip_direction?: FlipDirection | null;
  /** [h, w] after Pad. */
  pad_shape?: [number, number];
  pad_fixed_size?: [number, number] | null;
  pad_size_divisor?: number | null;
  [key: string]: unknown;
}

/**
 * What a transform gets besides the results: the sample's random generator.
 *
 * @example
 * const ctx: TransformContext = { rng: sampleRng(seed, epoch, index) };
 */
export interface TransformContext {
  rng: Rng;
}

/**
 * A pipeline step; returns the (usually same, mutated) results object, possibly asynchronously.
 *
 * @example
 * const step: Transform = { transform: (results) => results };
 */
export interface Transform {
  transform(results: TransformResults, ctx: TransformContext): TransformResults | Promise<TransformResults>;
}

/**
 * What `PackDetInputs` makes of a sample: one image and its data sample, ready for `collate`. A type alias
 * rather than an interface, so it fits TransformResults' index signature and PackDetInputs can implement
 * Transform.
 *
 * @example
 * const { input, data_sample } = await dataset.get(0);
 * input.shape; // [h, w, 3]
 */
export type PackedDetInputs = {
  input: DetInputs[number];
  data_sample: DetDataSample;
};

/**
 * `results[key]`, or a `DetlabError` saying which transform must come first (a pipeline-order mistake in the
 * config), instead of a TypeError deep inside the transform.
 *
 * @example
 * const img = need(results, 'img', 'Resize', 'LoadImageFromFile');
 */
export function need<K extends keyof TransformResults>(
  results: TransformResults,
  key: K,
  transform: string,
  provider: string,
): NonNullable<TransformResults[K]> {
  const value = results[key];
  if (value === undefined || value === null) {
    throw new DetlabError(`${transform}: results has no '${String(key)}'; put ${provider} before ${transform} in the pipeline`);
  }
  return value as NonNullable<TransformResults[K]>;
}
