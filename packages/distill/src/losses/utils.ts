/**
 * What the distillation losses share: a stop-gradient for the teacher's outputs and the pointwise KL term
 * p_T·(log p_T − log p_S) of temperature-softened distributions, as `F.kl_div(log_softmax(S / τ),
 * softmax(T / τ), reduction='none')` computes it in MMRazor's `KLDivergence` and `ChannelWiseDivergence`.
 *
 * @example
 * const pointwise = softenedKL(studentLogits, stopGradient(teacherLogits), 4); // [N, C], Σ over C = KL per row
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError } from '@detlab/core';

/**
 * The identity whose gradient is zero: `tensor.detach()` for a tensor inside a `tf.grad` tape. tfjs has no
 * detach, and a tensor taken from the tape would still be recorded as an input, so the teacher's logits pass
 * through this and whatever gradient reaches them is zero.
 *
 * @example
 * const target = stopGradient(teacherLogits); // same values, ∂loss/∂teacherLogits = 0
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detach(x) as T;
}

const detach: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x) => {
  const input = x as tf.Tensor;
  return { value: tf.clone(input), gradFunc: (dy) => tf.zerosLike(dy) };
});

/**
 * The pointwise KL term p_T·(log p_T − log p_S), p = softmax(logits / tau) along the last axis (the only axis
 * tfjs's `logSoftmax` takes): summed along it, it is KL(p_T ‖ p_S) per distribution. log p_T comes from `logSoftmax`, so a p_T that underflows to 0 gives
 * 0·(finite) = 0 rather than the NaN of 0·log 0. The caller decides whether `teacher` is detached.
 *
 * @example
 * softenedKL(tf.tensor2d([[0, 0]]), tf.tensor2d([[2, 0]]), 1).sum(); // 0.3298 (see the tests)
 */
export function softenedKL(student: tf.Tensor, teacher: tf.Tensor, tau: number): tf.Tensor {
  return tf.tidy(() => {
    const logPT = tf.logSoftmax(tf.div(teacher, tau));
    const logPS = tf.logSoftmax(tf.div(student, tau));
    return tf.mul(tf.exp(logPT), tf.sub(logPT, logPS));
  });
}

/** The shape as `[2, 3]`, for error messages. */
export function formatShape(t: tf.Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

/** Whether `a` and `b` have one shape. */
export function sameShape(a: tf.Tensor, b: tf.Tensor): boolean {
  return a.rank === b.rank && a.shape.every((d, i) => d === b.shape[i]);
}

/**
 * Predictions as rows of class logits [R, C]: a tensor [..., A·C] or a list of them (one per FPN level, as a
 * dense head's `cls_scores`) becomes one matrix, each tensor reshaped to [-1, C] and the levels stacked in order.
 * `numClasses` splits A anchors per location (mmdet's layout: the last axis is anchor-major, A blocks of C);
 * without it the last axis is C.
 *
 * @example
 * predictionRows([p3, p4]); // p3 [2, 16, 16, 10], p4 [2, 8, 8, 10] → [640, 10]
 */
export function predictionRows(preds: tf.Tensor | readonly tf.Tensor[], numClasses?: number): tf.Tensor2D {
  const list = Array.isArray(preds) ? (preds as readonly tf.Tensor[]) : [preds as tf.Tensor];
  if (list.length === 0) throw new DetlabError('predictionRows: expected at least one tensor of logits, got an empty list');
  return tf.tidy(() => {
    const rows = list.map((t) => {
      const c = numClasses ?? t.shape[t.rank - 1] ?? 1;
      if (t.rank < 1 || t.size % c !== 0) {
        throw new DetlabError(`predictionRows: logits ${formatShape(t)} cannot be split into rows of ${c} classes`);
      }
      return tf.reshape(t, [-1, c]) as tf.Tensor2D;
    });
    return rows.length === 1 ? rows[0]! : tf.concat(rows, 0);
  });
}
