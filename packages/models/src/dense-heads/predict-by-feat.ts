/**
 * Detections from a dense head's raw outputs; mirrors mmdet `BaseDenseHead.predict_by_feat`,
 * `_predict_by_feat_single`, `filter_scores_and_topk` and `_bbox_post_process` for sigmoid heads with a score
 * factor (ATSS's centerness).
 *
 * Per image and level: probabilities σ(cls) for every (anchor, class) pair; pairs with probability >
 * `score_thr` are candidates, of which the `nms_pre` best are kept (an anchor may stay once per class). Their
 * deltas are decoded against their anchors with `max_shape = img_shape`. Then, over all levels: divide the boxes by
 * `scale_factor` (rescale), multiply each score by its σ(centerness), drop boxes not wider and taller than
 * `min_bbox_size`, class-aware NMS, and keep `max_per_img`.
 *
 * Tensors are read back once per batch (the packed scores, deltas and centerness) and once per image (its
 * decoded candidates); selection, rescaling and NMS run on typed arrays.
 *
 * @example
 * const detections = await predictByFeat(outputs, { anchorGenerator, bboxCoder, dataSamples, testCfg, rescale: true });
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DetDataSample, DetPrediction } from '@detlab/tensor';
import type { AnchorGenerator } from '../task-utils/anchor-generator.js';
import type { DeltaXYWHBBoxCoder } from '../task-utils/delta-xywh-bbox-coder.js';
import { batchedNms } from '../task-utils/nms.js';
import type { DenseTestCfg } from './dense-head-cfg.js';

/**
 * Raw outputs of a dense head with a score factor, one NHWC tensor per level.
 *
 * @example
 * const outputs: DenseHeadOutputs = head.forward(feats); // clsScores[l]: [N, H_l, W_l, A·C]
 */
export interface DenseHeadOutputs {
  /** [N, H, W, A·C] logits. */
  clsScores: tf.Tensor4D[];
  /** [N, H, W, A·4] deltas. */
  bboxPreds: tf.Tensor4D[];
  /** [N, H, W, A] logits. */
  centernesses: tf.Tensor4D[];
  /** Lets the outputs pass through tf.tidy as a tensor container. */
  [key: string]: tf.Tensor4D[];
}

/**
 * What `predictByFeat` needs besides the outputs.
 *
 * @example
 * predictByFeat(outputs, { anchorGenerator, bboxCoder, dataSamples, testCfg, rescale: true });
 */
export interface PredictByFeatOptions {
  anchorGenerator: Pick<AnchorGenerator, 'gridPriors'>;
  bboxCoder: Pick<DeltaXYWHBBoxCoder, 'decode'>;
  dataSamples: readonly DetDataSample[];
  testCfg: DenseTestCfg;
  /** Return boxes in `ori_shape` pixels (divided by `scale_factor`) instead of `img_shape` pixels. */
  rescale: boolean;
}

/**
 * Per image: detections sorted by descending score (see the file comment). The outputs are not disposed.
 *
 * @example
 * // test_cfg: { nms_pre: 1000, min_bbox_size: 0, score_thr: 0.05, nms: { type: 'nms', iou_threshold: 0.6 }, max_per_img: 100 }
 * const [detections] = await predictByFeat(head.forward(feats), { anchorGenerator, bboxCoder, dataSamples, testCfg, rescale: true });
 */
export async function predictByFeat(outputs: DenseHeadOutputs, options: PredictByFeatOptions): Promise<DetPrediction[]> {
  const { clsScores, bboxPreds, centernesses } = outputs;
  const numClasses = clsScores[0]!.shape[3] / (centernesses[0]!.shape[3] || 1);
  const levelPriors = options.anchorGenerator.gridPriors(clsScores.map((c) => [c.shape[1], c.shape[2]] as [number, number])); // per level [H·W·A · 4]
  const width = numClasses + 5; // packed row: C probabilities, 4 deltas, 1 centerness probability
  const packed = tf.tidy(() => {
    const levels = clsScores.map((cls, l) => {
      const rows = levelPriors[l]!.length / 4;
      const n = cls.shape[0];
      return tf.concat(
        [
          tf.reshape(tf.sigmoid(cls), [n, rows, numClasses]), // [N, H·W·A, C]
          tf.reshape(bboxPreds[l]!, [n, rows, 4]), // [N, H·W·A, 4]
          tf.reshape(tf.sigmoid(centernesses[l]!), [n, rows, 1]), // [N, H·W·A, 1]
        ],
        2,
      );
    });
    return levels.length === 1 ? levels[0]! : tf.concat(levels, 1); // [N, T, C + 5]
  });
  const values = (await packed.data()) as Float32Array;
  const total = packed.shape[1]!;
  packed.dispose();

  const results: DetPrediction[] = [];
  for (const [i, sample] of options.dataSamples.entries()) {
    const rows = values.subarray(i * total * width, (i + 1) * total * width);
    const candidates = selectCandidates(rows, levelPriors, numClasses, options.testCfg);
    const bboxes = await decode(options.bboxCoder, candidates.priors, candidates.deltas, sample.metainfo.img_shape);
    results.push(postProcess({ ...candidates, bboxes }, sample, options));
  }
  return results;
}

/** Candidates of one image over all levels: score > score_thr, then the nms_pre best per level. */
interface Candidates {
  priors: Float32Array;
  deltas: Float32Array;
  scores: Float32Array;
  centerness: Float32Array;
  labels: Int32Array;
}

/** mmdet `filter_scores_and_topk` per level, on one image's packed rows [T, C + 5]. */
function selectCandidates(rows: Float32Array, levelPriors: readonly Float32Array[], numClasses: number, cfg: DenseTestCfg): Candidates {
  const width = numClasses + 5;
  const picked: Array<{ row: number; prior: Float32Array; score: number; label: number }> = [];
  let start = 0;
  for (const priors of levelPriors) {
    const count = priors.length / 4;
    const level: typeof picked = [];
    for (let r = 0; r < count; r += 1) {
      const base = (start + r) * width;
      for (let c = 0; c < numClasses; c += 1) {
        const score = rows[base + c]!;
        if (score > cfg.score_thr) level.push({ row: start + r, prior: priors.subarray(4 * r, 4 * r + 4), score, label: c });
      }
    }
    // A stable sort: equal scores keep the (anchor, class) order, as torch's sort on CPU.
    level.sort((a, b) => b.score - a.score);
    picked.push(...(cfg.nms_pre > 0 ? level.slice(0, cfg.nms_pre) : level));
    start += count;
  }
  const out: Candidates = {
    priors: new Float32Array(picked.length * 4),
    deltas: new Float32Array(picked.length * 4),
    scores: Float32Array.from(picked, (p) => p.score),
    centerness: Float32Array.from(picked, (p) => rows[p.row * width + numClasses + 4]!),
    labels: Int32Array.from(picked, (p) => p.label),
  };
  picked.forEach((p, k) => {
    out.priors.set(p.prior, 4 * k);
    out.deltas.set(rows.subarray(p.row * width + numClasses, p.row * width + numClasses + 4), 4 * k);
  });
  return out;
}

/** The coder's decode of k candidates (k·4 values), clipped to `imgShape`, read back. */
async function decode(coder: PredictByFeatOptions['bboxCoder'], priors: Float32Array, deltas: Float32Array, imgShape: [number, number]): Promise<Float32Array> {
  const k = priors.length / 4;
  if (k === 0) return new Float32Array(0);
  const boxes = tf.tidy(() => coder.decode(tf.tensor2d(priors, [k, 4]), tf.tensor2d(deltas, [k, 4]), imgShape)); // [k, 4]
  const values = (await boxes.data()) as Float32Array;
  boxes.dispose();
  return values;
}

/** mmdet `_bbox_post_process`: rescale, score × centerness, min size, class-aware NMS, max_per_img. */
function postProcess(c: Candidates & { bboxes: Float32Array }, sample: DetDataSample, options: PredictByFeatOptions): DetPrediction {
  const { testCfg: cfg } = options;
  const [sx, sy] = sample.metainfo.scale_factor;
  const n = c.scores.length;
  const bboxes = c.bboxes;
  if (options.rescale) {
    for (let k = 0; k < n; k += 1) {
      bboxes[4 * k]! /= sx;
      bboxes[4 * k + 1]! /= sy;
      bboxes[4 * k + 2]! /= sx;
      bboxes[4 * k + 3]! /= sy;
    }
  }
  const scores = c.scores.map((s, k) => s * c.centerness[k]!);
  let keep = Int32Array.from({ length: n }, (_, k) => k);
  if (cfg.min_bbox_size >= 0) {
    keep = keep.filter((k) => bboxes[4 * k + 2]! - bboxes[4 * k]! > cfg.min_bbox_size && bboxes[4 * k + 3]! - bboxes[4 * k + 1]! > cfg.min_bbox_size);
  }
  const subset = pick({ bboxes, scores, labels: c.labels }, keep);
  if (subset.scores.length === 0) return subset;
  const kept = batchedNms(subset.bboxes, subset.scores, subset.labels, cfg.nms);
  return pick(subset, kept.subarray(0, Math.min(kept.length, cfg.max_per_img)));
}

/** The detections at `indices`, in that order. */
function pick(d: DetPrediction, indices: Int32Array): DetPrediction {
  const bboxes = new Float32Array(indices.length * 4);
  indices.forEach((k, j) => bboxes.set(d.bboxes.subarray(4 * k, 4 * k + 4), 4 * j));
  return { bboxes, scores: Float32Array.from(indices, (k) => d.scores[k]!), labels: Int32Array.from(indices, (k) => d.labels[k]!) };
}
