/**
 * Mean squared error; mirrors mmdet `MSELoss` (`mmdet/models/losses/mse_loss.py`): the elementwise
 * (pred − target)², weighted and reduced by mmdet's `weight_reduce_loss`, times `loss_weight`. For features
 * the target is the teacher's, which never receives gradient here.
 *
 * @example
 * distill_losses: { loss_mse_fpn0: { type: 'MSELoss', reduction: 'mean', loss_weight: 1.0 } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, MODELS } from '@detlab/core';
import { REDUCTIONS, weightReduceLoss, type LossForwardOptions } from '@detlab/models';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { formatShape, sameShape, stopGradient } from './utils.js';

/**
 * Options of `MSELoss`, validated, with mmdet's defaults.
 *
 * @example
 * mseLossSchema.parse({}); // { reduction: 'mean', loss_weight: 1 }
 */
export const mseLossSchema = z.strictObject({
  /** Reduction of the elementwise loss when `forward` gets no `reductionOverride`. */
  reduction: z.enum(REDUCTIONS).default('mean'),
  /** Factor on the reduced loss. */
  loss_weight: z.number().default(1),
});

/**
 * Options of `MSELoss`, keys as in MMDetection configs.
 *
 * @example
 * const options: MSELossOptions = { reduction: 'sum', loss_weight: 0.5 };
 */
export type MSELossOptions = z.input<typeof mseLossSchema>;

/**
 * loss_weight · reduce((pred − target)² · weight); see the file comment.
 *
 * `forward(pred, target, { weight, avgFactor, reductionOverride })`: `pred` and `target` of one shape (NHWC
 * features [N, H, W, C], or anything else); `weight` broadcasts against them.
 *
 * @example
 * const loss = MODELS.build<MSELoss>({ type: 'MSELoss', loss_weight: 2 });
 * loss.forward(studentFeature, teacherFeature); // scalar
 */
@MODELS.register({ name: 'MSELoss', schema: mseLossSchema, description: 'Mean squared error (mmdet MSELoss).' })
export class MSELoss extends Module {
  /** The names of `forward`'s tensor arguments, which `loss_forward_mappings` use (MMRazor's). */
  static readonly forwardArgs = ['pred', 'target'] as const;
  readonly options: z.output<typeof mseLossSchema>;

  constructor(options: MSELossOptions = {}) {
    super();
    this.options = mseLossSchema.parse(options);
  }

  /** loss_weight × the reduced squared error of `pred` against the (detached) `target`. */
  forward(pred: tf.Tensor, target: tf.Tensor, options: LossForwardOptions = {}): tf.Tensor {
    if (!sameShape(pred, target)) {
      throw new DetlabError(`MSELoss.forward: expected pred and target of one shape, got ${formatShape(pred)} and ${formatShape(target)}`);
    }
    const reduction = options.reductionOverride ?? this.options.reduction;
    return tf.tidy(() => {
      const squared = tf.squaredDifference(pred, stopGradient(target)); // same shape as pred
      return tf.mul(weightReduceLoss(squared, options.weight, reduction, options.avgFactor), this.options.loss_weight);
    });
  }
}
