/**
 * Cross-entropy loss, softmax or sigmoid; mirrors mmdet `CrossEntropyLoss` with its `cross_entropy` and
 * `binary_cross_entropy` (`mmdet/models/losses/cross_entropy_loss.py`).
 *
 * - Softmax (`use_sigmoid: false`): `pred` [..., C] logits, `target` integer labels [...];
 *   loss = −class_weight[y] · log softmax(pred)[y], and 0 where y = ignore_index.
 * - Sigmoid (`use_sigmoid: true`): binary cross-entropy with logits; `target` is either a float tensor of
 *   pred's shape (ATSS's centerness targets) or integer labels with one axis fewer, expanded to one-hot
 *   (mmdet `_expand_onehot_labels`). Elements whose target is < 0 or = ignore_index get weight 0; class_weight
 *   is PyTorch's `pos_weight`.
 * - ignore_index null means −100, PyTorch's default. With `avg_non_ignore` and reduction 'mean' (and no
 *   avgFactor), the mean is over the non-ignored elements; counting them reads the labels back.
 *
 * Departures from mmdet: the class axis is the last one (NHWC), where PyTorch's is axis 1; a softmax label
 * outside [0, C) that is not ignore_index counts as ignored, where PyTorch raises; `use_mask: true` fails
 * validation (mask heads are not implemented); mmdet's warning about ignore_index without avg_non_ignore is
 * not given.
 *
 * @example
 * loss_centerness: { type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, MODELS } from '@detlab/core';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { binaryCrossEntropyWithLogits, labelsToOneHot, lossBaseShape, resolveReduction, weightReduceLoss, type LossForwardOptions } from './utils.js';

/** PyTorch's `ignore_index` default, which mmdet uses when the option is None. */
const DEFAULT_IGNORE_INDEX = -100;

/**
 * Options of `CrossEntropyLoss`, validated, with mmdet's defaults.
 *
 * @example
 * crossEntropyLossSchema.parse({ use_sigmoid: true }); // use_mask false, class_weight null, ignore_index null, ...
 */
export const crossEntropyLossSchema = z.strictObject({
  /** Binary cross-entropy with logits per element instead of a softmax over the last axis. */
  use_sigmoid: z.boolean().default(false),
  use_mask: z
    .boolean()
    .refine((v) => !v, 'use_mask (mask cross-entropy) is not implemented in detlab yet; expected false')
    .default(false),
  /** One weight per class: the softmax loss's `weight`, the sigmoid loss's `pos_weight`. */
  class_weight: z.array(z.number()).nullable().default(null),
  /** Label whose elements contribute nothing; null means −100. */
  ignore_index: z.int().nullable().default(null),
  /** Average over non-ignored elements only (PyTorch's own mean), instead of over all of them. */
  avg_non_ignore: z.boolean().default(false),
  ...lossBaseShape,
});

/**
 * Options of `CrossEntropyLoss`, keys as in MMDetection configs.
 *
 * @example
 * const options: CrossEntropyLossOptions = { use_sigmoid: true, loss_weight: 1.0 };
 */
export type CrossEntropyLossOptions = z.input<typeof crossEntropyLossSchema>;

/** `forward` options of `CrossEntropyLoss`: the common ones, and an ignore_index for this call. */
export interface CrossEntropyForwardOptions extends LossForwardOptions {
  /** Replaces the configured `ignore_index` for this call. */
  ignoreIndex?: number;
}

/**
 * Softmax or sigmoid cross-entropy; see the file comment. `weight` broadcasts against the elementwise loss
 * ([N] for softmax; pred's shape, or [N] for expanded sigmoid labels).
 *
 * @example
 * const loss = MODELS.build<CrossEntropyLoss>({ type: 'CrossEntropyLoss', use_sigmoid: true });
 * loss.forward(posCenterness, centernessTargets, { avgFactor: numPositives });
 */
@MODELS.register({ name: 'CrossEntropyLoss', schema: crossEntropyLossSchema, description: 'Softmax or sigmoid cross-entropy (mmdet CrossEntropyLoss).' })
export class CrossEntropyLoss extends Module {
  readonly options: z.output<typeof crossEntropyLossSchema>;

  constructor(options: CrossEntropyLossOptions = {}) {
    super();
    this.options = crossEntropyLossSchema.parse(options);
  }

  /** loss_weight × the reduced cross-entropy of `pred` (logits) against `target`. */
  forward(pred: tf.Tensor, target: tf.Tensor, options: CrossEntropyForwardOptions = {}): tf.Tensor {
    const o = this.options;
    const reduction = resolveReduction('CrossEntropyLoss', o.reduction, options.reductionOverride);
    const ignoreIndex = options.ignoreIndex ?? o.ignore_index ?? DEFAULT_IGNORE_INDEX;
    const numClasses = pred.shape[pred.rank - 1]!;
    if (o.class_weight !== null && o.class_weight.length !== numClasses) {
      throw new DetlabError(`CrossEntropyLoss.forward: class_weight has ${o.class_weight.length} entries, expected one per class of pred [${pred.shape.join(', ')}] (${numClasses})`);
    }
    const countAvg = options.avgFactor === undefined && o.avg_non_ignore && reduction === 'mean';
    return tf.tidy(() => {
      const classWeight = o.class_weight === null ? undefined : tf.tensor1d(o.class_weight);
      const { loss, weight, valid } = o.use_sigmoid
        ? sigmoidCrossEntropy(pred, target, options.weight, classWeight, ignoreIndex)
        : softmaxCrossEntropy(pred, target, options.weight, classWeight, ignoreIndex);
      const avgFactor = countAvg ? tf.sum(valid).dataSync()[0]! : options.avgFactor;
      return tf.mul(weightReduceLoss(loss, weight, reduction, avgFactor), o.loss_weight);
    });
  }
}

/** An elementwise loss, the weight it gets, and the mask of elements that count (for avg_non_ignore). */
interface ElementwiseCrossEntropy {
  loss: tf.Tensor;
  weight: tf.Tensor | undefined;
  valid: tf.Tensor;
}

/** mmdet `cross_entropy` before reduction: `F.cross_entropy(pred, label, class_weight, ignore_index, reduction='none')`. */
function softmaxCrossEntropy(pred: tf.Tensor, labels: tf.Tensor, weight: tf.Tensor | undefined, classWeight: tf.Tensor | undefined, ignoreIndex: number): ElementwiseCrossEntropy {
  if (labels.rank !== pred.rank - 1 || labels.shape.some((d, i) => d !== pred.shape[i])) {
    throw new DetlabError(`CrossEntropyLoss.forward: softmax expects labels of pred's shape without the class axis, got pred [${pred.shape.join(', ')}] and labels [${labels.shape.join(', ')}]`);
  }
  const valid = tf.cast(tf.notEqual(labels, ignoreIndex), 'float32'); // [...]
  const oneHot = tf.mul(labelsToOneHot(labels, pred.shape[pred.rank - 1]!), tf.expandDims(valid, -1)); // [..., C]
  const picked = classWeight === undefined ? oneHot : tf.mul(oneHot, classWeight); // [..., C]: class_weight[y] at y, 0 elsewhere
  const loss = tf.sum(tf.mul(picked, tf.neg(tf.logSoftmax(pred))), -1); // [...]
  return { loss, weight: weight === undefined ? undefined : tf.cast(weight, 'float32'), valid };
}

/** mmdet `binary_cross_entropy` before reduction, with its masking of negative and ignored targets. */
function sigmoidCrossEntropy(pred: tf.Tensor, target: tf.Tensor, weight: tf.Tensor | undefined, posWeight: tf.Tensor | undefined, ignoreIndex: number): ElementwiseCrossEntropy {
  const validOf = (t: tf.Tensor) => tf.cast(tf.logicalAnd(tf.greaterEqual(t, 0), tf.notEqual(t, ignoreIndex)), 'float32');
  let label: tf.Tensor;
  let valid: tf.Tensor;
  if (target.rank === pred.rank) {
    label = tf.cast(target, 'float32'); // pred's shape
    valid = validOf(target);
  } else if (target.rank === pred.rank - 1) {
    // _expand_onehot_labels: labels [...] → one-hot [..., C]; validity and weight repeat over the classes.
    label = labelsToOneHot(target, pred.shape[pred.rank - 1]!);
    valid = tf.mul(tf.expandDims(validOf(target), -1), tf.onesLike(label));
    if (weight !== undefined) weight = tf.expandDims(weight, -1);
  } else {
    throw new DetlabError(`CrossEntropyLoss.forward: sigmoid expects a target of pred's shape [${pred.shape.join(', ')}] or labels without its last axis, got [${target.shape.join(', ')}]`);
  }
  const masked = weight === undefined ? valid : tf.mul(tf.cast(weight, 'float32'), valid);
  return { loss: binaryCrossEntropyWithLogits(pred, label, posWeight), weight: masked, valid };
}
