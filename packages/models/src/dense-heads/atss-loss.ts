/**
 * The loss of `ATSSHead` given its outputs and the batch's targets (`atssTargets`); mirrors mmdet
 * `ATSSHead.loss_by_feat` and `loss_by_feat_single`. This is the only part of a training step on the gradient
 * tape besides the network itself.
 *
 * - `loss_cls` = focal loss over every (anchor, class) with the label weights, divided by `avg_factor`
 *   (Σ per image of max(#positives, 1)).
 * - For the positives: the predicted deltas are decoded against their anchors and compared with their GT boxes by
 *   `loss_bbox` (GIoU), each weighted by its centerness target, summed (avg_factor 1), then divided by
 *   `max(Σ centerness targets, 1)`;
 * - `loss_centerness` = sigmoid cross-entropy of the predicted centerness logits against the targets / avg_factor.
 * - With no positive in the batch, `loss_bbox` and `loss_centerness` are Σ(prediction) · 0: zero, with the
 *   graph still reaching the regression branch (its gradient is 0 rather than missing).
 *
 * mmdet computes each level separately and sums the per-level losses; the levels are concatenated here, which is
 * the same sum (every per-level term has the same divisor) in fewer kernels.
 *
 * @example
 * const losses = atssLossByFeat(head.forward(feats), atssTargets(input), parts); // { loss_cls, loss_bbox, loss_centerness }
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LossForwardOptions } from '../losses/utils.js';
import type { DeltaXYWHBBoxCoder } from '../task-utils/delta-xywh-bbox-coder.js';
import type { AtssTargets } from './atss-targets.js';
import type { DenseHeadOutputs } from './predict-by-feat.js';

/**
 * A loss as the head calls it: mmdet's `loss(pred, target, weight=..., avg_factor=...)`.
 *
 * @example
 * const lossCls: LossModule = MODELS.build({ type: 'FocalLoss', gamma: 2.0, alpha: 0.25 });
 */
export interface LossModule {
  forward(pred: tf.Tensor, target: tf.Tensor, options?: LossForwardOptions): tf.Tensor;
}

/**
 * The named losses `ATSSHead.loss` returns, each a scalar already summed over levels.
 *
 * @example
 * const { loss_cls, loss_bbox, loss_centerness }: AtssLosses = head.loss(feats, dataSamples);
 */
export interface AtssLosses {
  loss_cls: tf.Scalar;
  loss_bbox: tf.Scalar;
  loss_centerness: tf.Scalar;
  [key: string]: tf.Scalar;
}

/**
 * The losses and coder `atssLossByFeat` combines.
 *
 * @example
 * const parts: AtssLossParts = { numClasses: 80, lossCls, lossBbox, lossCenterness, bboxCoder };
 */
export interface AtssLossParts {
  numClasses: number;
  lossCls: LossModule;
  lossBbox: LossModule;
  lossCenterness: LossModule;
  bboxCoder: Pick<DeltaXYWHBBoxCoder, 'decode'>;
}

/**
 * The three ATSS losses of the file comment, as scalars; call inside a tidy or dispose them.
 *
 * @example
 * // loss_cls: { type: 'FocalLoss', ... }, loss_bbox: { type: 'GIoULoss', loss_weight: 2.0 }, loss_centerness: { type: 'CrossEntropyLoss', use_sigmoid: true }
 * const { loss_cls, loss_bbox, loss_centerness } = atssLossByFeat(head.forward(feats), targets, head);
 */
export function atssLossByFeat(outputs: DenseHeadOutputs, targets: AtssTargets, parts: AtssLossParts): AtssLosses {
  return tf.tidy(() => {
    const n = outputs.clsScores[0]!.shape[0];
    // NHWC maps → rows n·T + t in mmdet's anchor order (y, x, anchor), levels concatenated finest first.
    const flatten = (maps: readonly tf.Tensor4D[], channels: number) =>
      tf.reshape(tf.concat(maps.map((m) => tf.reshape(m, [n, -1, channels])), 1), [-1, channels]) as tf.Tensor2D;
    const cls = flatten(outputs.clsScores, parts.numClasses); // [N·T, C]
    const reg = flatten(outputs.bboxPreds, 4); // [N·T, 4]
    const centerness = tf.reshape(flatten(outputs.centernesses, 1), [-1]) as tf.Tensor1D; // [N·T]

    const labels = tf.tensor1d(targets.labels, 'int32'); // [N·T]
    const labelWeights = tf.tensor1d(targets.labelWeights, 'float32'); // [N·T]
    const lossCls = parts.lossCls.forward(cls, labels, { weight: labelWeights, avgFactor: targets.avgFactor });

    const numPos = targets.posIndex.length;
    if (numPos === 0) {
      return { loss_cls: asScalar(lossCls), loss_bbox: tf.mul(tf.sum(reg), 0) as tf.Scalar, loss_centerness: tf.mul(tf.sum(centerness), 0) as tf.Scalar };
    }
    const posIndex = tf.tensor1d(targets.posIndex, 'int32'); // [P]
    const posDeltas = tf.gather(reg, posIndex); // [P, 4]
    const posCenterness = tf.gather(centerness, posIndex); // [P] logits
    const centernessTargets = tf.tensor1d(targets.centernessTargets, 'float32'); // [P]
    const posDecoded = parts.bboxCoder.decode(tf.tensor2d(targets.posAnchors, [numPos, 4]), posDeltas); // [P, 4] x1y1x2y2
    const posGt = tf.tensor2d(targets.posGtBboxes, [numPos, 4]); // [P, 4]
    const bboxAvgFactor = Math.max(sum(targets.centernessTargets), 1);
    const lossBbox = tf.div(parts.lossBbox.forward(posDecoded, posGt, { weight: centernessTargets, avgFactor: 1 }), bboxAvgFactor);
    const lossCenterness = parts.lossCenterness.forward(posCenterness, centernessTargets, { avgFactor: targets.avgFactor });
    return { loss_cls: asScalar(lossCls), loss_bbox: asScalar(lossBbox), loss_centerness: asScalar(lossCenterness) };
  });
}

/** The loss as a rank-0 tensor (losses with reduction 'mean' already are; this keeps the type honest). */
function asScalar(t: tf.Tensor): tf.Scalar {
  return (t.rank === 0 ? t : tf.reshape(t, [])) as tf.Scalar;
}

/** Σ values in float32 order, as torch sums the per-level target tensors. */
function sum(values: Float32Array): number {
  let total = 0;
  for (const v of values) total = Math.fround(total + v);
  return total;
}
