/**
 * What every loss shares: the options `reduction` and `loss_weight`, and mmdet's `weight_reduce_loss`
 * (`mmdet/models/losses/utils.py`), plus two elementwise ops whose tfjs gradients differ from PyTorch's and
 * are replaced here, so the losses built on them train as mmdet's do.
 *
 * @example
 * const loss = weightReduceLoss(elementwise, weight, 'mean', numPositives); // Σ(loss·weight) / (numPositives + eps)
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError } from '@detlab/core';
import { z } from 'zod';

/** How an elementwise loss becomes the returned value: as is, its mean, or its sum (PyTorch's names). */
export type Reduction = 'none' | 'mean' | 'sum';

/** The reductions a config or `reductionOverride` may name. */
export const REDUCTIONS = ['none', 'mean', 'sum'] as const satisfies readonly Reduction[];

/**
 * `torch.finfo(torch.float32).eps` = 2⁻²³ ≈ 1.1920929e-7, which mmdet adds to `avg_factor` so that an
 * avg_factor of 0 (no positives) gives 0 rather than NaN.
 */
export const FLOAT32_EPS = 2 ** -23;

/**
 * Schema keys every loss has, to spread into its own `z.strictObject`.
 *
 * @example
 * const myLossSchema = z.strictObject({ ...lossBaseShape, beta: z.number().positive().default(1) });
 */
export const lossBaseShape = {
  /** Reduction of the elementwise loss when `forward` gets no `reductionOverride`. */
  reduction: z.enum(REDUCTIONS).default('mean'),
  /** Factor on the reduced loss. */
  loss_weight: z.number().default(1),
};

/**
 * The optional arguments of every loss's `forward`, as mmdet's keyword arguments.
 *
 * @example
 * loss.forward(pred, target, { weight: labelWeights, avgFactor: numPositives, reductionOverride: 'sum' });
 */
export interface LossForwardOptions {
  /** Elementwise weight, broadcast against the elementwise loss (each loss says which shapes it takes). */
  weight?: tf.Tensor;
  /** With reduction 'mean', the loss is Σ(loss·weight) / (avgFactor + eps) instead of the mean. */
  avgFactor?: number;
  /** Replaces the configured `reduction` for this call. */
  reductionOverride?: Reduction;
}

/**
 * The reduction a call uses: the override when given, the configured one otherwise (mmdet's
 * `reduction_override if reduction_override else self.reduction`). Rejects names outside `REDUCTIONS`.
 */
export function resolveReduction(lossName: string, configured: Reduction, override: Reduction | undefined): Reduction {
  if (override !== undefined && !REDUCTIONS.includes(override)) {
    throw new DetlabError(`${lossName}.forward: reductionOverride must be one of ${REDUCTIONS.join(', ')} or undefined, got ${JSON.stringify(override)}`);
  }
  return override ?? configured;
}

/**
 * mmdet `reduce_loss`: 'none' returns `loss` itself, 'mean' its mean over every element, 'sum' its sum.
 *
 * @example
 * reduceLoss(tf.tensor1d([1, 2, 3]), 'mean'); // 2
 */
export function reduceLoss(loss: tf.Tensor, reduction: Reduction): tf.Tensor {
  if (reduction === 'mean') return tf.mean(loss);
  if (reduction === 'sum') return tf.sum(loss);
  return loss;
}

/**
 * mmdet `weight_reduce_loss`: multiplies `loss` by `weight` (ordinary broadcasting, as `loss * weight` in
 * PyTorch), then reduces. Without `avgFactor` the reduction is `reduceLoss`'s; with it, 'mean' gives
 * Σ / (avgFactor + FLOAT32_EPS), 'none' returns the weighted loss unreduced, and 'sum' is an error.
 *
 * @example
 * weightReduceLoss(tf.tensor1d([0, 2, 3]), tf.tensor1d([1, 0, 1]), 'mean', 2); // 3 / (2 + eps) ≈ 1.5
 */
export function weightReduceLoss(loss: tf.Tensor, weight: tf.Tensor | undefined, reduction: Reduction = 'mean', avgFactor?: number): tf.Tensor {
  if (avgFactor !== undefined && reduction === 'sum') {
    throw new DetlabError("avg_factor can not be used with reduction='sum'", {
      hint: "Use reduction 'mean' to divide the sum by avg_factor, or leave avgFactor out.",
    });
  }
  return tf.tidy(() => {
    const weighted = weight === undefined ? loss : tf.mul(loss, weight);
    if (avgFactor === undefined) return reduceLoss(weighted, reduction);
    if (reduction === 'mean') return tf.div(tf.sum(weighted), avgFactor + FLOAT32_EPS);
    return weighted;
  });
}

/**
 * Whether any element of `weight` is > 0 (`torch.any(weight > 0)`); reads one number back from the backend.
 */
export function anyPositive(weight: tf.Tensor): boolean {
  if (weight.size === 0) return false;
  const max = tf.max(weight);
  const positive = max.dataSync()[0]! > 0;
  max.dispose();
  return positive;
}

/**
 * mmdet's early return of the box losses when no weight is positive: `(pred * weight).sum()`, a 0 that keeps
 * `pred` in the graph, and is neither reduced nor scaled by `loss_weight`. A weight with one axis fewer than
 * `pred` gets a trailing axis first (`weight.unsqueeze(1)`).
 */
export function zeroLossKeepingGraph(pred: tf.Tensor, weight: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const w = pred.rank === weight.rank + 1 ? tf.expandDims(weight, -1) : weight;
    return tf.sum(tf.mul(pred, w));
  });
}

/**
 * |x| whose gradient is sign(x), 0 at x = 0 as in PyTorch. tfjs's Abs gradient is −1 at 0 (`step(x, −1)`),
 * which would push an exact prediction away from its target.
 */
export const absWithSignGrad: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x, save) => {
  const input = x as tf.Tensor;
  (save as tf.GradSaveFunc)([input]);
  return { value: tf.abs(input), gradFunc: (dy, [saved]) => tf.mul(dy, tf.sign(saved!)) };
});

/**
 * softplus(x) = log(1 + eˣ), computed as max(x, 0) + log1p(e^(−|x|)) so it neither overflows nor loses the
 * small values, with the exact gradient sigmoid(x). Composing the gradient from max and |x| instead would
 * give 1.5 at x = 0: tfjs sends a tie of `maximum` to its first input and takes |x|' = −1 at 0.
 *
 * Binary cross-entropy with logits is built on it: −log σ(x) = softplus(−x), −log(1 − σ(x)) = softplus(x).
 */
export const stableSoftplus: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x, save) => {
  const input = x as tf.Tensor;
  (save as tf.GradSaveFunc)([input]);
  const value = tf.add(tf.relu(input), accurateLog1p(tf.exp(tf.neg(tf.abs(input)))));
  return { value, gradFunc: (dy, [saved]) => tf.mul(dy, tf.sigmoid(saved!)) };
});

/**
 * log(1 + y) to full float32 precision for small y ≥ 0. The wasm `Log1p` kernel computes log(1 + y) as
 * written, which returns 0 for y < 6e-8 and is 17% off at y = 3e-7; Kahan's correction
 * log(u)·y / (u − 1), u = 1 + y, fixes the rounding of 1 + y. Forward only: used inside a custom gradient.
 */
function accurateLog1p(y: tf.Tensor): tf.Tensor {
  const u = tf.add(y, 1);
  const corrected = tf.div(tf.mul(tf.log(u), y), tf.sub(u, 1)); // NaN where u rounds to 1, replaced below
  return tf.where(tf.equal(u, 1), y, corrected);
}

/**
 * `F.binary_cross_entropy_with_logits(x, t, pos_weight, reduction='none')`:
 * pos_weight·t·softplus(−x) + (1 − t)·softplus(x), which is softplus(x) − x·t without pos_weight.
 * `posWeight` broadcasts over the last axis (one per class).
 */
export function binaryCrossEntropyWithLogits(logits: tf.Tensor, target: tf.Tensor, posWeight?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    if (posWeight === undefined) return tf.sub(stableSoftplus(logits), tf.mul(logits, target));
    const positive = tf.mul(tf.mul(posWeight, target), stableSoftplus(tf.neg(logits)));
    return tf.add(positive, tf.mul(tf.sub(1, target), stableSoftplus(logits)));
  });
}

/**
 * Integer labels [...] as a float one-hot [..., numClasses]; a label outside [0, numClasses) gives a zero row
 * (the background label `numClasses` of sigmoid heads, and ignore_index -100).
 */
export function labelsToOneHot(labels: tf.Tensor, numClasses: number): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.equal(tf.expandDims(labels, -1), tf.range(0, numClasses, 1, 'int32')), 'float32'));
}

/**
 * `lossOf(pred − target)` elementwise, after mmdet's checks: an empty target gives the scalar Σpred · 0, and
 * otherwise pred and target must have one shape. Shared by `L1Loss` and `SmoothL1Loss`.
 */
export function elementwiseDistance(lossName: string, pred: tf.Tensor, target: tf.Tensor, lossOf: (diff: tf.Tensor) => tf.Tensor): tf.Tensor {
  if (target.size === 0) return tf.mul(tf.sum(pred), 0);
  if (pred.shape.length !== target.shape.length || pred.shape.some((d, i) => d !== target.shape[i])) {
    throw new DetlabError(`${lossName}.forward: expected pred and target of the same shape, got [${pred.shape.join(', ')}] and [${target.shape.join(', ')}]`);
  }
  return lossOf(tf.sub(pred, target));
}
