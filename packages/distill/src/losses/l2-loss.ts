/**
 * Feature L2 distance; mirrors MMRazor `L2Loss` (`mmrazor/models/losses/l2_loss.py`):
 *   S, T ← mult · x / ‖x‖₂ per sample (with `normalize`, each sample flattened),
 *   loss = Σ (S − T)², then √loss with `dist`, else ÷ numel with `div_element`, else ÷ N;
 *   times `loss_weight`.
 * Flattening a sample gives the same norm in NHWC as in MMRazor's NCHW, so the value does not depend on layout.
 *
 * @example
 * distill_losses: { loss_l2_fpn0: { type: 'L2Loss', normalize: true, mult: 1, loss_weight: 10 } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, MODELS } from '@detlab/core';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { formatShape, sameShape, stopGradient } from './utils.js';

/**
 * Options of `L2Loss`, validated, with MMRazor's defaults.
 *
 * @example
 * l2LossSchema.parse({}); // { loss_weight: 1, normalize: true, mult: 1, div_element: false, dist: false }
 */
export const l2LossSchema = z.strictObject({
  /** Factor on the loss. */
  loss_weight: z.number().default(1),
  /** Whether each sample's features are scaled to unit L2 norm (then by `mult`) first. */
  normalize: z.boolean().default(true),
  /** Factor on the normalised features. */
  mult: z.number().default(1),
  /** Divide the sum by the number of elements rather than by the batch size N. */
  div_element: z.boolean().default(false),
  /** Return the Euclidean distance √Σ(S − T)², undivided. */
  dist: z.boolean().default(false),
});

/**
 * Options of `L2Loss`, keys as in MMRazor configs.
 *
 * @example
 * const options: L2LossOptions = { normalize: false, div_element: true };
 */
export type L2LossOptions = z.input<typeof l2LossSchema>;

/**
 * Squared L2 distance of student and teacher features; see the file comment.
 *
 * `forward(sFeature, tFeature)`: [N, H, W, C] each (any shape with the batch first); the teacher is detached.
 *
 * @example
 * const loss = MODELS.build<L2Loss>({ type: 'L2Loss', normalize: false });
 * loss.forward(studentFeature, teacherFeature); // scalar
 */
@MODELS.register({ name: 'L2Loss', schema: l2LossSchema, description: 'Feature L2 distance (MMRazor L2Loss).' })
export class L2Loss extends Module {
  /** The names of `forward`'s tensor arguments, which `loss_forward_mappings` use (MMRazor's). */
  static readonly forwardArgs = ['s_feature', 't_feature'] as const;
  readonly options: z.output<typeof l2LossSchema>;

  constructor(options: L2LossOptions = {}) {
    super();
    this.options = l2LossSchema.parse(options);
  }

  /** loss_weight · Σ(S − T)² divided as the options say; see the file comment. */
  forward(sFeature: tf.Tensor, tFeature: tf.Tensor): tf.Tensor {
    const { loss_weight, normalize, mult, div_element, dist } = this.options;
    if (sFeature.rank < 1 || !sameShape(sFeature, tFeature)) {
      throw new DetlabError(`L2Loss.forward: expected student and teacher features of one shape [N, H, W, C], got ${formatShape(sFeature)} and ${formatShape(tFeature)}`);
    }
    const n = sFeature.shape[0]!;
    return tf.tidy(() => {
      let s = tf.reshape(sFeature, [n, -1]); // [N, H·W·C]
      let t = tf.reshape(stopGradient(tFeature), [n, -1]); // [N, H·W·C]
      if (normalize) [s, t] = [normalizeFeature(s, mult), normalizeFeature(t, mult)];
      const sum = tf.sum(tf.squaredDifference(s, t));
      const loss = dist ? tf.sqrt(sum) : tf.div(sum, div_element ? sFeature.size : n);
      return tf.mul(loss, loss_weight);
    });
  }
}

/** MMRazor's `normalize_feature`: each row of `x` [N, D] divided by its L2 norm, times `mult`. */
function normalizeFeature(x: tf.Tensor, mult: number): tf.Tensor {
  return tf.mul(tf.div(x, tf.norm(x, 2, 1, true)), mult); // [N, D]
}
