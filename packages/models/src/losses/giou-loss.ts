/**
 * Generalized IoU loss (Rezatofighi et al., "Generalized Intersection over Union", CVPR 2019); mirrors mmdet
 * `GIoULoss` and `giou_loss` (`mmdet/models/losses/iou_loss.py`, with `bbox_overlaps(mode='giou',
 * is_aligned=True)`).
 *
 * For aligned boxes A (pred) and B (target) in x1y1x2y2 and C the smallest box enclosing both:
 *   GIoU = IoU − (area(C) − area(A∪B)) / area(C),  loss = 1 − GIoU ∈ [0, 2]
 * with area(A∪B) and area(C) clamped below at `eps` (`torch.max(union, eps)`), so empty boxes give no NaN.
 * Only maximum/minimum and arithmetic are used, so the gradient w.r.t. pred exists on every backend.
 *
 * As in mmdet, when `weight` is given and no element of it is > 0, `forward` returns Σ(pred · weight) (a 0 that
 * keeps pred in the graph), unscaled and unreduced; deciding that reads the weight back from the backend.
 *
 * @example
 * loss_bbox: { type: 'GIoULoss', loss_weight: 2.0 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, MODELS } from '@detlab/core';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { anyPositive, lossBaseShape, resolveReduction, weightReduceLoss, zeroLossKeepingGraph, type LossForwardOptions } from './utils.js';

/**
 * Options of `GIoULoss`, validated, with mmdet's defaults.
 *
 * @example
 * gIoULossSchema.parse({ loss_weight: 2 }); // { eps: 1e-6, reduction: 'mean', loss_weight: 2 }
 */
export const gIoULossSchema = z.strictObject({
  /** Lower bound of the union and enclosing areas (in squared pixels), against division by 0. */
  eps: z.number().positive().default(1e-6),
  ...lossBaseShape,
});

/**
 * Options of `GIoULoss`, keys as in MMDetection configs.
 *
 * @example
 * const options: GIoULossOptions = { loss_weight: 2.0 };
 */
export type GIoULossOptions = z.input<typeof gIoULossSchema>;

/**
 * 1 − GIoU of aligned box pairs; see the file comment.
 *
 * `forward(pred, target, { weight, avgFactor, reductionOverride })`: `pred` and `target` [N, 4] x1y1x2y2;
 * `weight` [N] (one per box) or [N, 4] (averaged over the coordinates first, as mmdet does).
 *
 * @example
 * const loss = MODELS.build<GIoULoss>({ type: 'GIoULoss', loss_weight: 2.0 });
 * loss.forward(decodedBoxes, gtBoxes, { weight: centernessTargets, avgFactor: 1.0 });
 */
@MODELS.register({ name: 'GIoULoss', schema: gIoULossSchema, description: 'Generalized IoU loss (mmdet GIoULoss).' })
export class GIoULoss extends Module {
  readonly options: z.output<typeof gIoULossSchema>;

  constructor(options: GIoULossOptions = {}) {
    super();
    this.options = gIoULossSchema.parse(options);
  }

  /** loss_weight × the reduced 1 − GIoU of `pred` [N, 4] against `target` [N, 4]. */
  forward(pred: tf.Tensor, target: tf.Tensor, options: LossForwardOptions = {}): tf.Tensor {
    const { weight, avgFactor } = options;
    if (weight !== undefined && !anyPositive(weight)) return zeroLossKeepingGraph(pred, weight);
    const reduction = resolveReduction('GIoULoss', this.options.reduction, options.reductionOverride);
    if (pred.rank !== 2 || pred.shape[1] !== 4 || !sameShape(pred.shape, target.shape)) {
      throw new DetlabError(`GIoULoss.forward: expected pred and target of the same shape [N, 4], got [${pred.shape.join(', ')}] and [${target.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      let w = weight;
      if (w !== undefined && w.rank > 1) {
        if (!sameShape(w.shape, pred.shape)) throw new DetlabError(`GIoULoss.forward: expected a 2-d weight of pred's shape [${pred.shape.join(', ')}], got [${w.shape.join(', ')}]`);
        w = tf.mean(w, -1); // [N]
      }
      const loss = tf.sub(1, alignedGIoU(pred as tf.Tensor2D, target as tf.Tensor2D, this.options.eps)); // [N]
      return tf.mul(weightReduceLoss(loss, w, reduction, avgFactor), this.options.loss_weight);
    });
  }
}

/** GIoU of each row of `a` [N, 4] with the same row of `b` [N, 4] (mmdet `bbox_overlaps`, aligned 'giou'). */
function alignedGIoU(a: tf.Tensor2D, b: tf.Tensor2D, eps: number): tf.Tensor1D {
  return tf.tidy(() => {
    const [ax1, ay1, ax2, ay2] = tf.unstack(a, 1); // 4 × [N]
    const [bx1, by1, bx2, by2] = tf.unstack(b, 1);
    const areaA = tf.mul(tf.sub(ax2!, ax1!), tf.sub(ay2!, ay1!));
    const areaB = tf.mul(tf.sub(bx2!, bx1!), tf.sub(by2!, by1!));
    // Intersection: width and height clamped at 0 (fp16_clamp(rb − lt, min=0)).
    const overlapW = tf.maximum(tf.sub(tf.minimum(ax2!, bx2!), tf.maximum(ax1!, bx1!)), 0);
    const overlapH = tf.maximum(tf.sub(tf.minimum(ay2!, by2!), tf.maximum(ay1!, by1!)), 0);
    const overlap = tf.mul(overlapW, overlapH);
    const union = tf.maximum(tf.sub(tf.add(areaA, areaB), overlap), eps);
    const iou = tf.div(overlap, union);
    // Smallest enclosing box C.
    const encloseW = tf.maximum(tf.sub(tf.maximum(ax2!, bx2!), tf.minimum(ax1!, bx1!)), 0);
    const encloseH = tf.maximum(tf.sub(tf.maximum(ay2!, by2!), tf.minimum(ay1!, by1!)), 0);
    const encloseArea = tf.maximum(tf.mul(encloseW, encloseH), eps);
    return tf.sub(iou, tf.div(tf.sub(encloseArea, union), encloseArea)) as tf.Tensor1D;
  });
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
