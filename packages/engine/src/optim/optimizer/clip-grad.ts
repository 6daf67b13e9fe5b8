/**
 * Gradient clipping, as `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`, on lists of gradients.
 *
 * By norm: the total norm is the p-norm of the per-gradient p-norms (the norm of all gradients as one
 * vector); every gradient is scaled by min(1, max_norm / (total + 1e-6)). The total, before clipping, is what
 * MMEngine logs as `train/grad_norm`. By value: each element is clamped to [−clip_value, clip_value].
 *
 * @example
 * optim_wrapper: { optimizer: { type: 'SGD', lr: 0.01 }, clip_grad: { max_norm: 35, norm_type: 2 } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

/**
 * Schema of `optim_wrapper.clip_grad`: `type` 'norm' (default) needs `max_norm`, 'value' needs `clip_value`.
 * `norm_type` may be 'inf' (JSON has no infinity) for the max-abs norm.
 *
 * @example
 * clipGradSchema.parse({ type: 'value', clip_value: 1 });
 */
export const clipGradSchema = z
  .strictObject({
    type: z.enum(['norm', 'value']).default('norm'),
    max_norm: z.number().positive().optional(),
    norm_type: z.union([z.number().positive(), z.literal('inf')]).default(2),
    clip_value: z.number().positive().optional(),
  })
  .superRefine((o, ctx) => {
    if (o.type === 'norm' && o.max_norm === undefined) {
      ctx.addIssue({ code: 'custom', path: ['max_norm'], message: "required when clip_grad.type is 'norm' (e.g. max_norm: 35)" });
    }
    if (o.type === 'value' && o.clip_value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['clip_value'], message: "required when clip_grad.type is 'value' (e.g. clip_value: 1)" });
    }
  });

/**
 * `optim_wrapper.clip_grad` as written in configs.
 *
 * @example
 * const clip: ClipGradCfg = { max_norm: 10, norm_type: 2 };
 */
export type ClipGradCfg = z.input<typeof clipGradSchema>;

/**
 * Scales `grads` so their total `normType`-norm is at most `maxNorm`; returns new tensors (the inputs are
 * left to the caller) and the total norm before clipping.
 *
 * @example
 * const { grads: clipped, totalNorm } = clipGradNorm(grads, 35); // optim_wrapper.clip_grad: { max_norm: 35 }
 */
export function clipGradNorm(grads: readonly tf.Tensor[], maxNorm: number, normType: number | 'inf' = 2): { grads: tf.Tensor[]; totalNorm: tf.Scalar } {
  const p = normType === 'inf' ? Infinity : normType;
  return tf.tidy(() => {
    if (grads.length === 0) return { grads: [], totalNorm: tf.scalar(0) };
    const norms = grads.map((g) => vectorNorm(g, p)); // one scalar per gradient
    const totalNorm = vectorNorm(tf.stack(norms), p) as tf.Scalar;
    // torch: max_norm / (total + 1e-6), clamped at 1, so gradients already within the limit are multiplied by 1.
    const coef = tf.minimum(tf.div(maxNorm, tf.add(totalNorm, 1e-6)), 1);
    return { grads: grads.map((g) => tf.mul(g, coef)), totalNorm };
  });
}

/**
 * Clamps every element of `grads` to [−clipValue, clipValue]; returns new tensors.
 *
 * @example
 * const clipped = clipGradValue(grads, 1); // optim_wrapper.clip_grad: { type: 'value', clip_value: 1 }
 */
export function clipGradValue(grads: readonly tf.Tensor[], clipValue: number): tf.Tensor[] {
  return tf.tidy(() => grads.map((g) => tf.clipByValue(g, -clipValue, clipValue)));
}

/** The p-norm of all elements of `x` (torch.linalg.vector_norm); p = Infinity is the largest magnitude. */
function vectorNorm(x: tf.Tensor, p: number): tf.Scalar {
  if (p === Infinity) return tf.max(tf.abs(x)) as tf.Scalar;
  if (p === 2) return tf.sqrt(tf.sum(tf.square(x))) as tf.Scalar;
  if (p === 1) return tf.sum(tf.abs(x)) as tf.Scalar;
  return tf.pow(tf.sum(tf.pow(tf.abs(x), p)), 1 / p) as tf.Scalar;
}
