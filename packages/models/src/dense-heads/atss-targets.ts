/**
 * Training targets of `ATSSHead` for a batch, on typed arrays (no tensor, nothing on the gradient tape); mirrors
 * mmdet `ATSSHead.get_targets` / `_get_targets_single` with the pseudo sampler and `reg_decoded_bbox: true`.
 *
 * Per image: the anchors of every level are concatenated (finest first); valid flags mask the locations beyond
 * the image's own `pad_shape` (batch padding), and with `allowed_border ≥ 0` anchors sticking out of `img_shape`
 * by more than that are dropped too. The assigner sees only the remaining ("inside") anchors with their per-level
 * counts. Positives (gt_inds > 0) get their GT's label, their GT box as regression target (decoded-box
 * regression: no delta encoding) and a centerness target; negatives (gt_inds = 0) get the background label
 * `num_classes`; both have classification weight 1 (positives `pos_weight` when > 0). Ignored and outside
 * anchors have weight 0.
 *
 * Layout: image-major, then mmdet's flat anchor order, so entry `n·T + t` is anchor t of image n (T anchors per
 * image); the head flattens its NHWC predictions the same way.
 *
 * @example
 * const targets = atssTargets({ anchorGenerator, assigner, featmapSizes: [[8, 8], [4, 4]], dataSamples, numClasses: 80, trainCfg });
 * targets.posIndex; // rows of the flattened predictions that regress a box
 */
import { DetlabError } from '@detlab/core';
import type { DetDataSample } from '@detlab/tensor';
import type { AnchorGenerator } from '../task-utils/anchor-generator.js';
import type { ATSSAssigner } from '../task-utils/atss-assigner.js';
import type { DenseTrainCfg } from './dense-head-cfg.js';

/**
 * What `atssTargets` needs: the head's task utilities, the feature sizes and the batch's samples.
 *
 * @example
 * atssTargets({ anchorGenerator, assigner, featmapSizes, dataSamples, numClasses: 3, trainCfg: { allowed_border: -1, pos_weight: -1 } });
 */
export interface AtssTargetsInput {
  anchorGenerator: Pick<AnchorGenerator, 'gridPriors' | 'validFlags'>;
  assigner: Pick<ATSSAssigner, 'assign'>;
  /** [H, W] of each level's feature map. */
  featmapSizes: ReadonlyArray<readonly [number, number]>;
  /** Samples after the data preprocessor (`pad_shape` set). */
  dataSamples: readonly DetDataSample[];
  numClasses: number;
  trainCfg: Pick<DenseTrainCfg, 'allowed_border' | 'pos_weight'>;
}

/**
 * Targets of a batch of N images with T anchors each, in the layout of the file comment.
 *
 * @example
 * const { labels, labelWeights, avgFactor } = atssTargets(input); // focal loss inputs
 */
export interface AtssTargets {
  /** [N·T] class per anchor; `numClasses` is background. */
  labels: Int32Array;
  /** [N·T] classification weight: 1 for positives and negatives, 0 for ignored and outside anchors. */
  labelWeights: Float32Array;
  /** [P] rows (n·T + t) of the positives. */
  posIndex: Int32Array;
  /** [P·4] anchors of the positives, x1y1x2y2. */
  posAnchors: Float32Array;
  /** [P·4] GT boxes the positives regress, x1y1x2y2. */
  posGtBboxes: Float32Array;
  /** [P] centerness targets √(min(l,r)/max(l,r) · min(t,b)/max(t,b)) of each positive's anchor centre. */
  centernessTargets: Float32Array;
  /** Σ over images of max(positives, 1): mmdet's `avg_factor` (its SamplingResult counts at least 1 per image). */
  avgFactor: number;
  /** Anchors per level of one image. */
  numLevelAnchors: number[];
}

/**
 * Computes the targets described in the file comment.
 *
 * @example
 * // with train_cfg: { assigner: { type: 'ATSSAssigner', topk: 9 }, allowed_border: -1, pos_weight: -1 }
 * const { labels, posIndex, avgFactor } = atssTargets({ anchorGenerator, assigner, featmapSizes, dataSamples, numClasses: 80, trainCfg });
 */
export function atssTargets(input: AtssTargetsInput): AtssTargets {
  const { anchorGenerator, featmapSizes, dataSamples, numClasses } = input;
  const levelAnchors = anchorGenerator.gridPriors(featmapSizes); // per level [H·W·A · 4]
  const numLevelAnchors = levelAnchors.map((a) => a.length / 4);
  const anchors = concat(levelAnchors); // [T · 4]
  const total = anchors.length / 4;
  const n = dataSamples.length;
  const labels = new Int32Array(n * total).fill(numClasses);
  const labelWeights = new Float32Array(n * total);
  const pos = { index: [] as number[], anchors: [] as number[], gts: [] as number[], centerness: [] as number[] };
  let avgFactor = 0;

  dataSamples.forEach((sample, i) => {
    const inside = insideAnchors(input, anchors, numLevelAnchors, sample, i);
    const gt = sample.gt_instances ?? { bboxes: new Float32Array(0), labels: new Int32Array(0) };
    const { gtInds } = input.assigner.assign({
      priors: inside.priors,
      numLevelPriors: inside.numLevelPriors,
      gtBboxes: gt.bboxes,
      gtLabels: gt.labels,
      gtBboxesIgnore: sample.ignored_instances?.bboxes,
    });
    let numPos = 0;
    inside.index.forEach((t, j) => {
      const row = i * total + t;
      const assigned = gtInds[j]!;
      if (assigned < 0) return; // ignored: weight 0
      if (assigned === 0) {
        labelWeights[row] = 1;
        return;
      }
      numPos += 1;
      const g = assigned - 1;
      labels[row] = gt.labels[g]!;
      labelWeights[row] = input.trainCfg.pos_weight > 0 ? input.trainCfg.pos_weight : 1;
      const anchor = anchors.subarray(4 * t, 4 * t + 4);
      const box = gt.bboxes.subarray(4 * g, 4 * g + 4);
      pos.index.push(row);
      pos.anchors.push(...anchor);
      pos.gts.push(...box);
      pos.centerness.push(centernessTarget(anchor, box));
    });
    avgFactor += Math.max(numPos, 1);
  });

  return {
    labels,
    labelWeights,
    posIndex: Int32Array.from(pos.index),
    posAnchors: Float32Array.from(pos.anchors),
    posGtBboxes: Float32Array.from(pos.gts),
    centernessTargets: Float32Array.from(pos.centerness),
    avgFactor,
    numLevelAnchors,
  };
}

/**
 * mmdet `ATSSHead.centerness_target` for one anchor and its GT: how central the anchor centre sits in the box,
 * 1 at the middle, towards 0 near a side. Only defined for centres inside the box (the assigner's rule).
 *
 * @example
 * centernessTarget(Float32Array.of(0, 0, 20, 20), Float32Array.of(0, 0, 40, 20)); // √(10/30 · 10/10) ≈ 0.577
 */
export function centernessTarget(anchor: ArrayLike<number>, gt: ArrayLike<number>): number {
  const cx = (anchor[0]! + anchor[2]!) / 2;
  const cy = (anchor[1]! + anchor[3]!) / 2;
  const l = cx - gt[0]!, t = cy - gt[1]!, r = gt[2]! - cx, b = gt[3]! - cy;
  return Math.sqrt((Math.min(l, r) / Math.max(l, r)) * (Math.min(t, b) / Math.max(t, b)));
}

/** mmdet `anchor_inside_flags` + `get_num_level_anchors_inside` for image `i`: the kept anchors and their counts. */
function insideAnchors(input: AtssTargetsInput, anchors: Float32Array, numLevelAnchors: number[], sample: DetDataSample, i: number) {
  const { metainfo } = sample;
  const padShape = metainfo.pad_shape ?? metainfo.img_shape;
  const valid = concat(input.anchorGenerator.validFlags(input.featmapSizes, padShape)); // [T]
  const border = input.trainCfg.allowed_border;
  const [h, w] = metainfo.img_shape;
  const index: number[] = [];
  const numLevelPriors = numLevelAnchors.map(() => 0);
  let level = 0;
  let levelEnd = numLevelAnchors[0]!;
  for (let t = 0; t < valid.length; t += 1) {
    while (t >= levelEnd) levelEnd += numLevelAnchors[++level]!;
    if (!valid[t]) continue;
    if (border >= 0) {
      const [x1, y1, x2, y2] = [anchors[4 * t]!, anchors[4 * t + 1]!, anchors[4 * t + 2]!, anchors[4 * t + 3]!];
      if (!(x1 >= -border && y1 >= -border && x2 < w + border && y2 < h + border)) continue;
    }
    index.push(t);
    numLevelPriors[level]! += 1;
  }
  if (index.length === 0) {
    throw new DetlabError(
      `ATSSHead: no valid anchor inside the image boundary of data_samples[${i}] (img_shape [${h}, ${w}], allowed_border ${border}).`,
      { hint: 'Check the image size and anchor sizes, or set train_cfg.allowed_border to -1 to skip the condition.' },
    );
  }
  const priors = new Float32Array(index.length * 4);
  index.forEach((t, j) => priors.set(anchors.subarray(4 * t, 4 * t + 4), 4 * j));
  return { index, priors, numLevelPriors };
}

/** The arrays one after another. */
function concat<T extends Float32Array | Uint8Array>(parts: readonly T[]): T {
  const out = new (parts[0]!.constructor as new (n: number) => T)(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
