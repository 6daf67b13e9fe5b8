/**
 * Smooth L1 loss (Girshick, "Fast R-CNN", 2015); mirrors mmdet `SmoothL1Loss` and `smooth_l1_loss`
 * (`mmdet/models/losses/smooth_l1_loss.py`).
 *
 * With d = |pred − target|, mmdet's piecewise form is 0.5·d²/β for d < β and d − 0.5·β otherwise. It is
 * written here as 0.5·q²/β + (d − q) with q = min(d, β), the same function with the same gradient, because
 * `where(less(...))` has no gradient in tfjs (tfjs-in-node.md §4.4).
 *
 * As in mmdet, when `weight` is given and no element of it is > 0, `forward` returns Σ(pred · weight),
 * unscaled and unreduced (reading the weight back from the backend), and an empty target gives Σpred · 0.
 *
 * @example
 * loss_bbox: { type: 'SmoothL1Loss', beta: 1.0 / 9.0, loss_weight: 1.0 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { absWithSignGrad, anyPositive, elementwiseDistance, lossBaseShape, resolveReduction, weightReduceLoss, zeroLossKeepingGraph, type LossForwardOptions } from './utils.js';

/**
 * Options of `SmoothL1Loss`, validated, with mmdet's defaults.
 *
 * @example
 * smoothL1LossSchema.parse({ beta: 0.5 }); // { beta: 0.5, reduction: 'mean', loss_weight: 1 }
 */
export const smoothL1LossSchema = z.strictObject({
  /** Where the loss turns from quadratic to linear, in the units of pred (mmdet asserts beta > 0). */
  beta: z.number().positive().default(1),
  ...lossBaseShape,
});

/**
 * Options of `SmoothL1Loss`, keys as in MMDetection configs.
 *
 * @example
 * const options: SmoothL1LossOptions = { beta: 1.0 / 9.0 };
 */
export type SmoothL1LossOptions = z.input<typeof smoothL1LossSchema>;

/**
 * Elementwise smooth L1; see the file comment. `pred`, `target` of one shape; `weight` broadcasts.
 *
 * @example
 * const loss = MODELS.build<SmoothL1Loss>({ type: 'SmoothL1Loss', beta: 1.0 });
 * loss.forward(deltas, targetDeltas, { weight: bboxWeights, avgFactor: numPositives });
 */
@MODELS.register({ name: 'SmoothL1Loss', schema: smoothL1LossSchema, description: 'Smooth L1 loss (mmdet SmoothL1Loss).' })
export class SmoothL1Loss extends Module {
  readonly options: z.output<typeof smoothL1LossSchema>;

  constructor(options: SmoothL1LossOptions = {}) {
    super();
    this.options = smoothL1LossSchema.parse(options);
  }

  /** loss_weight × the reduced smooth L1 of pred − target. */
  forward(pred: tf.Tensor, target: tf.Tensor, options: LossForwardOptions = {}): tf.Tensor {
    const { weight, avgFactor } = options;
    if (weight !== undefined && !anyPositive(weight)) return zeroLossKeepingGraph(pred, weight);
    const reduction = resolveReduction('SmoothL1Loss', this.options.reduction, options.reductionOverride);
    const { beta } = this.options;
    return tf.tidy(() => {
      const loss = elementwiseDistance('SmoothL1Loss', pred, target, (diff) => {
        const d = absWithSignGrad(diff);
        const q = tf.minimum(d, beta); // the quadratic part: d below beta, beta above
        return tf.add(tf.div(tf.mul(0.5, tf.square(q)), beta), tf.sub(d, q));
      });
      return tf.mul(weightReduceLoss(loss, weight, reduction, avgFactor), this.options.loss_weight);
    });
  }
}
