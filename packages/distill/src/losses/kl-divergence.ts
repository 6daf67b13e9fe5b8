/**
 * KL divergence of temperature-softened class distributions (Hinton et al., "Distilling the Knowledge in a
 * Neural Network", 2015); mirrors MMRazor `KLDivergence` (`mmrazor/models/losses/kl_divergence.py`):
 *   loss = loss_weight · τ² · kl_div(log_softmax(S / τ), softmax(T / τ), reduction)
 * where kl_div's elementwise term is p_T·(log p_T − log p_S), and the τ² keeps the gradient's scale
 * independent of τ (the paper's §2).
 *
 * Departure from MMRazor: the class axis is the last one (MMRazor's dim 1); for [N, C] logits they agree.
 *
 * @example
 * distill_losses: { loss_kl: { type: 'KLDivergence', tau: 4, reduction: 'batchmean', loss_weight: 1.0 } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, MODELS } from '@detlab/core';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { formatShape, sameShape, softenedKL, stopGradient } from './utils.js';

/**
 * The reductions of `F.kl_div`: 'batchmean' divides the sum by the batch size (the KL per sample, the
 * mathematically correct mean), 'mean' by the number of elements, 'sum' sums, 'none' keeps the elementwise terms.
 *
 * @example
 * const reduction: KLReduction = 'batchmean';
 */
export type KLReduction = 'batchmean' | 'sum' | 'mean' | 'none';

/**
 * Options of `KLDivergence`, validated, with MMRazor's defaults.
 *
 * @example
 * klDivergenceSchema.parse({}); // { tau: 1, reduction: 'batchmean', loss_weight: 1, teacher_detach: true }
 */
export const klDivergenceSchema = z.strictObject({
  /** Temperature τ dividing both logits; larger τ gives softer distributions. */
  tau: z.number().positive().default(1),
  /** How the elementwise KL terms are reduced; see `KLReduction`. */
  reduction: z.enum(['batchmean', 'sum', 'mean', 'none']).default('batchmean'),
  /** Factor on the reduced loss. */
  loss_weight: z.number().default(1),
  /** Whether the teacher's logits are cut from the gradient (MMRazor's `preds_T.detach()`). */
  teacher_detach: z.boolean().default(true),
});

/**
 * Options of `KLDivergence`, keys as in MMRazor configs.
 *
 * @example
 * const options: KLDivergenceOptions = { tau: 4, loss_weight: 0.5 };
 */
export type KLDivergenceOptions = z.input<typeof klDivergenceSchema>;

/**
 * KL(softmax(T / τ) ‖ softmax(S / τ)) · τ² · loss_weight; see the file comment.
 *
 * `forward(predsS, predsT)`: student and teacher logits of one shape, [N, C] (or [..., C], classes last).
 *
 * @example
 * const loss = MODELS.build<KLDivergence>({ type: 'KLDivergence', tau: 4 });
 * loss.forward(studentLogits, teacherLogits); // scalar
 */
@MODELS.register({ name: 'KLDivergence', schema: klDivergenceSchema, description: 'KL divergence of softened logits (MMRazor KLDivergence).' })
export class KLDivergence extends Module {
  /** The names of `forward`'s tensor arguments, which `loss_forward_mappings` use (MMRazor's). */
  static readonly forwardArgs = ['preds_S', 'preds_T'] as const;
  readonly options: z.output<typeof klDivergenceSchema>;

  constructor(options: KLDivergenceOptions = {}) {
    super();
    this.options = klDivergenceSchema.parse(options);
  }

  /** loss_weight · τ² · the reduced KL terms of student `predsS` against teacher `predsT`. */
  forward(predsS: tf.Tensor, predsT: tf.Tensor): tf.Tensor {
    const { tau, reduction, loss_weight, teacher_detach } = this.options;
    checkLogits('KLDivergence', predsS, predsT);
    return tf.tidy(() => {
      const teacher = teacher_detach ? stopGradient(predsT) : predsT;
      const pointwise = softenedKL(predsS, teacher, tau); // [N, C]
      return tf.mul(reduceKL(pointwise, reduction), loss_weight * tau * tau);
    });
  }
}

/**
 * `F.kl_div`'s reduction of the elementwise terms: 'batchmean' is Σ / N with N the first dimension.
 *
 * @example
 * reduceKL(tf.tensor2d([[1, 2], [3, 4]]), 'batchmean'); // 10 / 2 = 5
 */
export function reduceKL(pointwise: tf.Tensor, reduction: KLReduction): tf.Tensor {
  if (reduction === 'none') return pointwise;
  if (reduction === 'mean') return tf.mean(pointwise);
  const sum = tf.sum(pointwise);
  return reduction === 'sum' ? sum : tf.div(sum, pointwise.shape[0] ?? 1);
}

/** Student and teacher logits must have one shape with at least one axis (classes last). */
export function checkLogits(lossName: string, student: tf.Tensor, teacher: tf.Tensor): void {
  if (student.rank < 1 || !sameShape(student, teacher)) {
    throw new DetlabError(
      `${lossName}.forward: expected student and teacher logits of one shape [N, C], got ${formatShape(student)} and ${formatShape(teacher)}`,
    );
  }
}
