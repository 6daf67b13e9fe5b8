/**
 * Sigmoid focal loss (Lin et al., "Focal Loss for Dense Object Detection", 2017); mirrors mmdet `FocalLoss`
 * (`mmdet/models/losses/focal_loss.py`, `py_sigmoid_focal_loss` and `py_focal_loss_with_prob`).
 *
 * Per class c of each anchor, with p = σ(logit) and t ∈ {0, 1} the one-hot target:
 *   FL = BCE(p, t) · (α·t + (1 − α)(1 − t)) · p_tᵞ, p_t = (1 − p)·t + p·(1 − t)
 * which is the paper's −α_t (1 − p_t)ᵞ log p_t (mmdet's p_t is the paper's 1 − p_t).
 *
 * Departures from mmdet, each for a reason:
 * - A label outside [0, num_classes] gives an all-background row, where `F.one_hot` raises; checking would read
 *   the labels back from the backend on every call.
 * - `use_sigmoid: false` fails validation, where mmdet raises NotImplementedError in `forward`.
 *
 * @example
 * loss_cls: { type: 'FocalLoss', use_sigmoid: true, gamma: 2.0, alpha: 0.25, loss_weight: 1.0 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, MODELS } from '@detlab/core';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { binaryCrossEntropyWithLogits, labelsToOneHot, lossBaseShape, resolveReduction, weightReduceLoss, type LossForwardOptions } from './utils.js';

/**
 * Options of `FocalLoss`, validated, with mmdet's defaults.
 *
 * @example
 * focalLossSchema.parse({}); // { use_sigmoid: true, gamma: 2, alpha: 0.25, activated: false, reduction: 'mean', loss_weight: 1 }
 */
export const focalLossSchema = z.strictObject({
  /** Only the sigmoid form exists, in mmdet too. */
  use_sigmoid: z
    .boolean()
    .refine((v) => v, 'only the sigmoid focal loss exists (mmdet raises NotImplementedError for use_sigmoid=False); expected true')
    .default(true),
  /** Focusing exponent γ: 0 gives (α-weighted) binary cross-entropy. */
  gamma: z.number().nonnegative().default(2),
  /** Weight α of the positive term; negatives get 1 − α. */
  alpha: z.number().min(0).max(1).default(0.25),
  /** Whether `pred` is already a probability (after a sigmoid) rather than a logit. */
  activated: z.boolean().default(false),
  ...lossBaseShape,
});

/**
 * Options of `FocalLoss`, keys as in MMDetection configs.
 *
 * @example
 * const options: FocalLossOptions = { gamma: 2.0, alpha: 0.25, loss_weight: 1.0 };
 */
export type FocalLossOptions = z.input<typeof focalLossSchema>;

/**
 * Sigmoid focal loss over classes; see the file comment.
 *
 * `forward(pred, target, { weight, avgFactor, reductionOverride })`:
 * - `pred` [N, C]: logits (probabilities with `activated`).
 * - `target`: int32 labels [N] with C meaning background, or a float one-hot [N, C].
 * - `weight`: [N] (one per anchor, broadcast over classes), [N, C], or [N·C] (viewed as [N, C]).
 *
 * @example
 * const loss = MODELS.build<FocalLoss>({ type: 'FocalLoss', gamma: 2.0, alpha: 0.25 });
 * loss.forward(clsScores, labels, { weight: labelWeights, avgFactor: numPositives });
 */
@MODELS.register({ name: 'FocalLoss', schema: focalLossSchema, description: 'Sigmoid focal loss (mmdet FocalLoss).' })
export class FocalLoss extends Module {
  readonly options: z.output<typeof focalLossSchema>;

  constructor(options: FocalLossOptions = {}) {
    super();
    this.options = focalLossSchema.parse(options);
  }

  /** loss_weight × the reduced focal loss of `pred` [N, C] against `target` (labels [N] or one-hot [N, C]). */
  forward(pred: tf.Tensor, target: tf.Tensor, options: LossForwardOptions = {}): tf.Tensor {
    const { gamma, alpha, activated, loss_weight } = this.options;
    const reduction = resolveReduction('FocalLoss', this.options.reduction, options.reductionOverride);
    if (pred.rank !== 2) throw new DetlabError(`FocalLoss.forward: expected pred of shape [N, C], got [${pred.shape.join(', ')}]`);
    const [n, numClasses] = pred.shape as [number, number];
    return tf.tidy(() => {
      const t = pred.rank === target.rank ? tf.cast(target, 'float32') : labelsToOneHot(target, numClasses); // [N, C]
      const p = activated ? pred : tf.sigmoid(pred); // [N, C]
      const pt = tf.add(tf.mul(tf.sub(1, p), t), tf.mul(p, tf.sub(1, t))); // [N, C]
      const alphaT = tf.add(tf.mul(alpha, t), tf.mul(1 - alpha, tf.sub(1, t))); // [N, C]
      const focalWeight = tf.mul(alphaT, tf.pow(pt, gamma)); // [N, C]
      const bce = activated ? binaryCrossEntropy(pred, t) : binaryCrossEntropyWithLogits(pred, t); // [N, C]
      const loss = tf.mul(bce, focalWeight); // [N, C]
      const weight = options.weight === undefined ? undefined : weightAsLossShape(options.weight, n, numClasses);
      return tf.mul(weightReduceLoss(loss, weight, reduction, options.avgFactor), loss_weight);
    });
  }
}

/**
 * mmdet's reshape of a focal-loss weight: [N, C] stays, [N] becomes [N, 1] (one weight per anchor), and any
 * other weight with N·C elements is viewed as [N, C] (per anchor per class, flattened, as FSAF passes it).
 */
function weightAsLossShape(weight: tf.Tensor, n: number, numClasses: number): tf.Tensor {
  if (weight.rank === 2 && weight.shape[0] === n && weight.shape[1] === numClasses) return weight;
  if (weight.shape[0] === n && weight.size === n) return tf.reshape(weight, [n, 1]);
  if (weight.size === n * numClasses) return tf.reshape(weight, [n, numClasses]);
  throw new DetlabError(
    `FocalLoss.forward: expected weight of shape [${n}], [${n}, ${numClasses}] or [${n * numClasses}] for pred [${n}, ${numClasses}], got [${weight.shape.join(', ')}]`,
  );
}

/**
 * `F.binary_cross_entropy(p, t, reduction='none')` for probabilities: −(t·log p + (1 − t)·log(1 − p)), each
 * log clamped at −100 as PyTorch does, so p = 0 or 1 gives 100 rather than infinity.
 */
function binaryCrossEntropy(p: tf.Tensor, t: tf.Tensor): tf.Tensor {
  const logP = tf.maximum(tf.log(p), -100);
  const log1mP = tf.maximum(tf.log(tf.sub(1, p)), -100);
  return tf.neg(tf.add(tf.mul(t, logP), tf.mul(tf.sub(1, t), log1mP)));
}
