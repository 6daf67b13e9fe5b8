/**
 * Box ↔ delta coder of R-CNN (Girshick et al., 2014); mirrors mmdet `DeltaXYWHBBoxCoder`
 * (`mmdet/models/task_modules/coders/delta_xywh_bbox_coder.py`, `bbox2delta` and `delta2bbox`).
 *
 * A box is coded against a prior (anchor) as `dx = (gx − px)/pw`, `dy = (gy − py)/ph`, `dw = ln(gw/pw)`,
 * `dh = ln(gh/ph)`, then normalised by `(d − mean)/std`. Decoding inverts it, with dw and dh clamped to
 * `±|ln(wh_ratio_clip)|` (a box at most 62.5× larger or smaller than its prior) and the result clipped to the
 * image when `clip_border`.
 *
 * Both directions are tfjs ops. `decode` is differentiable w.r.t. the deltas on wasm: the ATSS GIoU loss
 * backpropagates through it. Every clamp is `clipByValue`, `minimum` or `maximum`, whose gradients pass where
 * the value is inside the range (as torch's `clamp`); `where(less(...))` would fail, tfjs has no Less gradient
 * (tfjs-in-node.md §4.4).
 *
 * Departure from mmdet: `use_box_type` is not accepted (boxes are always x1y1x2y2 tensors).
 *
 * @example
 * bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [0.1, 0.1, 0.2, 0.2] }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, TASK_UTILS } from '@detlab/core';
import { z } from 'zod';

/** mmdet's default `wh_ratio_clip` of `decode`: predicted sides stay within [1/62.5, 62.5] × the prior's. */
export const DEFAULT_WH_RATIO_CLIP = 16 / 1000;

const quadruple = z.tuple([z.number(), z.number(), z.number(), z.number()]);

/**
 * Options of `DeltaXYWHBBoxCoder`, validated, with mmdet's defaults.
 *
 * @example
 * deltaXYWHBBoxCoderSchema.parse({ target_stds: [0.1, 0.1, 0.2, 0.2] }); // means 0, clip_border true
 */
export const deltaXYWHBBoxCoderSchema = z.strictObject({
  /** Subtracted from (dx, dy, dw, dh) after encoding, added back before decoding. */
  target_means: quadruple.default([0, 0, 0, 0]),
  /** Divides the deltas after encoding, multiplies them before decoding; ATSS uses [0.1, 0.1, 0.2, 0.2]. */
  target_stds: quadruple.refine((s) => s.every((v) => v > 0), 'expected 4 positive numbers').default([1, 1, 1, 1]),
  /** Clip decoded boxes to `maxShape` when one is given. */
  clip_border: z.boolean().default(true),
  /** Clamp the decoded centre shift to ±ctr_clamp pixels and dw, dh only from above (mmdet's choice, kept). */
  add_ctr_clamp: z.boolean().default(false),
  /** Largest centre shift in pixels with add_ctr_clamp. */
  ctr_clamp: z.number().positive().default(32),
});

/**
 * Options of `DeltaXYWHBBoxCoder`, keys as in MMDetection configs.
 *
 * @example
 * const options: DeltaXYWHBBoxCoderOptions = { target_stds: [0.1, 0.1, 0.2, 0.2] };
 */
export type DeltaXYWHBBoxCoderOptions = z.input<typeof deltaXYWHBBoxCoderSchema>;

/**
 * Delta (dx, dy, dw, dh) box coder; see the file comment.
 *
 * @example
 * bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [0.1, 0.1, 0.2, 0.2] }
 */
@TASK_UTILS.register({ name: 'DeltaXYWHBBoxCoder', schema: deltaXYWHBBoxCoderSchema, description: 'R-CNN delta box coder (mmdet DeltaXYWHBBoxCoder).' })
export class DeltaXYWHBBoxCoder {
  readonly options: z.output<typeof deltaXYWHBBoxCoderSchema>;
  /** Size of one encoded box, read by heads to size their regression output (mmdet `encode_size`). */
  readonly encodeSize = 4;

  constructor(options: DeltaXYWHBBoxCoderOptions = {}) {
    this.options = deltaXYWHBBoxCoderSchema.parse(options);
  }

  /** Deltas [N, 4] that turn `priors` [N, 4] into `gtBboxes` [N, 4] (x1y1x2y2), normalised by means and stds. */
  encode(priors: tf.Tensor2D, gtBboxes: tf.Tensor2D): tf.Tensor2D {
    checkBoxes('encode', 'priors', priors);
    checkBoxes('encode', 'gtBboxes', gtBboxes);
    if (priors.shape[0] !== gtBboxes.shape[0]) {
      throw new DetlabError(`DeltaXYWHBBoxCoder.encode: expected as many gtBboxes as priors, got ${gtBboxes.shape[0]} and ${priors.shape[0]}`);
    }
    const { target_means: means, target_stds: stds } = this.options;
    return tf.tidy(() => {
      const [pxy, pwh] = centreSize(priors); // [N, 2] each
      const [gxy, gwh] = centreSize(gtBboxes); // [N, 2] each
      const dxy = tf.div(tf.sub(gxy, pxy), pwh); // [N, 2]
      const dwh = tf.log(tf.div(gwh, pwh)); // [N, 2]
      const deltas = tf.concat([dxy, dwh], 1); // [N, 4]
      return tf.div(tf.sub(deltas, tf.tensor1d(means)), tf.tensor1d(stds)) as tf.Tensor2D;
    });
  }

  /**
   * Boxes [N, 4k] x1y1x2y2 from `priors` [N, 4] and `deltas` [N, 4k] (k = 1 for ATSS; k > 1 decodes k boxes per
   * prior, class-wise), clipped to `maxShape = [h, w]` when given and `clip_border`. Differentiable w.r.t.
   * `deltas`.
   */
  decode(priors: tf.Tensor2D, deltas: tf.Tensor2D, maxShape?: readonly [number, number], whRatioClip = DEFAULT_WH_RATIO_CLIP): tf.Tensor2D {
    checkBoxes('decode', 'priors', priors);
    const [n, width] = deltas.shape;
    if (n !== priors.shape[0] || width % 4 !== 0 || width === 0) {
      throw new DetlabError(
        `DeltaXYWHBBoxCoder.decode: expected deltas of shape [${priors.shape[0]}, 4k] (one row per prior), got [${deltas.shape.join(', ')}]`,
      );
    }
    const o = this.options;
    const maxRatio = Math.abs(Math.log(whRatioClip));
    return tf.tidy(() => {
      const k = width / 4;
      const flat: tf.Tensor2D = k === 1 ? deltas : tf.reshape(deltas, [n * k, 4]); // [N·k, 4]
      const rois: tf.Tensor2D = k === 1 ? priors : tf.reshape(tf.tile(priors, [1, k]), [n * k, 4]); // [N·k, 4]
      const d = tf.add(tf.mul(flat, tf.tensor1d(o.target_stds)), tf.tensor1d(o.target_means)); // [N·k, 4]
      const [dxy, rawDwh] = tf.split(d, 2, 1) as [tf.Tensor2D, tf.Tensor2D]; // [N·k, 2] each
      const [pxy, pwh] = centreSize(rois); // [N·k, 2] each
      let shift = tf.mul(pwh, dxy); // centre shift in pixels, [N·k, 2]
      let dwh: tf.Tensor;
      if (o.add_ctr_clamp) {
        shift = tf.clipByValue(shift, -o.ctr_clamp, o.ctr_clamp);
        // mmdet clamps only from above here: a very negative dw still shrinks the box towards 0.
        dwh = tf.minimum(rawDwh, maxRatio);
      } else {
        dwh = tf.clipByValue(rawDwh, -maxRatio, maxRatio);
      }
      const gxy = tf.add(pxy, shift); // [N·k, 2]
      const halfWh = tf.mul(tf.mul(pwh, tf.exp(dwh)), 0.5); // [N·k, 2]
      let boxes = tf.concat([tf.sub(gxy, halfWh), tf.add(gxy, halfWh)], 1); // [N·k, 4]
      if (o.clip_border && maxShape !== undefined) {
        const [h, w] = maxShape;
        // x to [0, w], y to [0, h]; maximum/minimum pass the gradient where the box is inside the image.
        boxes = tf.minimum(tf.maximum(boxes, 0), tf.tensor1d([w, h, w, h]));
      }
      return (k === 1 ? boxes : tf.reshape(boxes, [n, width])) as tf.Tensor2D;
    });
  }
}

/** Centres [N, 2] and sizes [N, 2] of x1y1x2y2 boxes [N, 4]. */
function centreSize(boxes: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const [x1y1, x2y2] = tf.split(boxes, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  return [tf.mul(tf.add(x1y1, x2y2), 0.5), tf.sub(x2y2, x1y1)];
}

/** Throws unless `t` is a 2D float tensor of x1y1x2y2 rows. */
function checkBoxes(method: string, name: string, t: tf.Tensor2D): void {
  if (t.rank !== 2 || t.shape[1] !== 4) {
    throw new DetlabError(`DeltaXYWHBBoxCoder.${method}: expected ${name} of shape [N, 4] (x1, y1, x2, y2), got [${t.shape.join(', ')}]`);
  }
}
