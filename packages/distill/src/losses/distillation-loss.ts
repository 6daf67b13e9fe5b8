/**
 * The classic knowledge-distillation loss of MMDetection KD write-ups (Hinton et al., 2015), on the
 * classification logits of matching predictions:
 *   loss = loss_weight · T² · KL(softmax(teacher / T) ‖ softmax(student / T)), reduced with `batchmean`
 * i.e. Σ over rows and classes of p_T·(log p_T − log_softmax(student / T)), divided by the number of rows N.
 * The teacher's logits never receive gradient. It is `KLDivergence` with `reduction: 'batchmean'` and
 * `teacher_detach: true` fixed, under the option names of the short config form (`temperature`).
 *
 * Inputs may be a dense head's per-level outputs (lists of [N, H, W, A·C]): every anchor of every level is one
 * row (`predictionRows`), so the loss is the mean KL per anchor, and student and teacher must have the same
 * levels and anchor layout (the distillation config check makes sure of that before training).
 *
 * @example
 * kd_loss = { type: 'DistillationLoss', temperature: 4 }
 * kd_loss_weight = 0.5
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { checkLogits, reduceKL } from './kl-divergence.js';
import { predictionRows, softenedKL, stopGradient } from './utils.js';

/**
 * Options of `DistillationLoss`, validated, with the defaults of the KD set-up (T = 4).
 *
 * @example
 * distillationLossSchema.parse({}); // { temperature: 4, loss_weight: 1, num_classes: null }
 */
export const distillationLossSchema = z.strictObject({
  /** Temperature T dividing both logits; the loss is scaled by T² so its gradient keeps its size. */
  temperature: z.number().positive().default(4),
  /** Factor on the loss (the short form's `kd_loss_weight` is folded into it). */
  loss_weight: z.number().nonnegative().default(1),
  /** Classes per row: splits A anchors per location on the last axis; null means the last axis is the classes. */
  num_classes: z.int().positive().nullable().default(null),
});

/**
 * Options of `DistillationLoss`, keys as in configs.
 *
 * @example
 * const options: DistillationLossOptions = { temperature: 4 };
 */
export type DistillationLossOptions = z.input<typeof distillationLossSchema>;

/**
 * Batch-mean KL of temperature-softened teacher and student logits; see the file comment.
 *
 * `forward(preds_S, preds_T)`: student and teacher logits, [N, C] each (rows: predictions, e.g. matching
 * anchors) or lists of per-level [N, H, W, A·C] (see the file comment).
 *
 * @example
 * const kd = MODELS.build<DistillationLoss>({ type: 'DistillationLoss', temperature: 4 }, { path: 'kd_loss' });
 * const loss = kd.forward(studentCls, teacherCls); // scalar
 */
@MODELS.register({ name: 'DistillationLoss', schema: distillationLossSchema, description: 'Hinton KD loss: T²·KL(teacher ‖ student), batchmean.' })
export class DistillationLoss extends Module {
  /** The names of `forward`'s arguments, which `loss_forward_mappings` use (MMRazor's). */
  static readonly forwardArgs = ['preds_S', 'preds_T'] as const;
  readonly options: z.output<typeof distillationLossSchema>;

  constructor(options: DistillationLossOptions = {}) {
    super();
    this.options = distillationLossSchema.parse(options);
  }

  /** loss_weight · T² · KL(softmax(teacher / T) ‖ softmax(student / T)) summed and divided by N rows. */
  forward(studentLogits: tf.Tensor | readonly tf.Tensor[], teacherLogits: tf.Tensor | readonly tf.Tensor[]): tf.Tensor {
    const { temperature: t, loss_weight, num_classes } = this.options;
    return tf.tidy(() => {
      const student = predictionRows(studentLogits, num_classes ?? undefined); // [R, C]
      const teacher = predictionRows(teacherLogits, num_classes ?? undefined); // [R, C]
      checkLogits('DistillationLoss', student, teacher);
      const pointwise = softenedKL(student, stopGradient(teacher), t); // [R, C]
      return tf.mul(reduceKL(pointwise, 'batchmean'), loss_weight * t * t);
    });
  }
}
