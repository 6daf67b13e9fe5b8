/**
 * L1 loss |pred − target|; mirrors mmdet `L1Loss` and `l1_loss` (`mmdet/models/losses/smooth_l1_loss.py`).
 *
 * As in mmdet:
 * - when `weight` is given and no element of it is > 0, `forward` returns Σ(pred · weight) (a 0 that keeps
 *   pred in the graph), unscaled and unreduced; deciding that reads the weight back from the backend;
 * - an empty target gives Σpred · 0 before weighting and reduction.
 * The gradient at pred = target is 0, as PyTorch's sign(0), not tfjs's −1 for |x|.
 *
 * @example
 * loss_bbox: { type: 'L1Loss', loss_weight: 1.0 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { absWithSignGrad, anyPositive, elementwiseDistance, lossBaseShape, resolveReduction, weightReduceLoss, zeroLossKeepingGraph, type LossForwardOptions } from './utils.js';

/**
 * Options of `L1Loss`, validated, with mmdet's defaults.
 *
 * @example
 * l1LossSchema.parse({}); // { reduction: 'mean', loss_weight: 1 }
 */
export const l1LossSchema = z.strictObject({ ...lossBaseShape });

/**
 * Options of `L1Loss`, keys as in MMDetection configs.
 *
 * @example
 * const options: L1LossOptions = { loss_weight: 1.0 };
 */
export type L1LossOptions = z.input<typeof l1LossSchema>;

/**
 * Elementwise |pred − target|; see the file comment. `pred`, `target` of one shape; `weight` broadcasts.
 *
 * @example
 * const loss = MODELS.build<L1Loss>({ type: 'L1Loss' });
 * loss.forward(pred, target, { weight, avgFactor: numPositives });
 */
@MODELS.register({ name: 'L1Loss', schema: l1LossSchema, description: 'L1 loss (mmdet L1Loss).' })
export class L1Loss extends Module {
  readonly options: z.output<typeof l1LossSchema>;

  constructor(options: L1LossOptions = {}) {
    super();
    this.options = l1LossSchema.parse(options);
  }

  /** loss_weight × the reduced |pred − target|. */
  forward(pred: tf.Tensor, target: tf.Tensor, options: LossForwardOptions = {}): tf.Tensor {
    const { weight, avgFactor } = options;
    if (weight !== undefined && !anyPositive(weight)) return zeroLossKeepingGraph(pred, weight);
    const reduction = resolveReduction('L1Loss', this.options.reduction, options.reductionOverride);
    return tf.tidy(() => {
      const loss = elementwiseDistance('L1Loss', pred, target, absWithSignGrad);
      return tf.mul(weightReduceLoss(loss, weight, reduction, avgFactor), this.options.loss_weight);
    });
  }
}
