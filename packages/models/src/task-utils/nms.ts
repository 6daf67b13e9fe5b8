/**
 * Greedy non-maximum suppression on plain typed arrays; mirrors mmcv `nms` (`mmcv/ops/nms.py`, CPU kernel
 * `nms_cpu`) and `batched_nms`, which mmdet's dense heads call with `test_cfg.nms`.
 *
 * Boxes are visited by descending score (a stable sort: equal scores keep the lower index first); a box is
 * kept unless a box kept before it overlaps it with IoU > `iou_threshold` (strictly greater, as mmcv: IoU exactly
 * at the threshold survives). IoU uses mmcv's continuous widths (`x2 − x1`, offset 0) and no epsilon: two
 * zero-area boxes give 0/0 = NaN, which never suppresses, as in mmcv.
 *
 * `batchedNms` is class-aware. mmcv shifts each class's boxes by `label × (max_coordinate + 1)` so that one
 * class-agnostic NMS cannot match boxes of different classes; here each kept box is only compared with kept
 * boxes of its own label, which is the same result without the shifted float32 coordinates (whose rounding
 * near 10⁵ perturbs IoU in mmcv, and which leak across classes when coordinates are negative) and without the
 * cross-class comparisons. Cost: O(n) for the (radix) sort plus, per box, one IoU per kept box of its class, and
 * the loop stops once `max_num` boxes are kept.
 *
 * Not registered: mmdet looks the NMS function up by the config's `type` string, not through a registry.
 *
 * @example
 * test_cfg: { nms_pre: 1000, min_bbox_size: 0, score_thr: 0.05, nms: { type: 'nms', iou_threshold: 0.6 }, max_per_img: 100 }
 */
import { DetlabError } from '@detlab/core';
import { z } from 'zod';

/**
 * The `nms` node of a head's `test_cfg`, for the head's schema; `batchedNms` trusts an object that passed it.
 *
 * @example
 * nmsCfgSchema.parse({ type: 'nms', iou_threshold: 0.6 }); // max_num -1, class_agnostic false
 */
export const nmsCfgSchema = z.strictObject({
  /** Only mmcv's plain greedy 'nms' exists in detlab. */
  type: z.literal('nms').default('nms'),
  /** A box is suppressed by a kept one when their IoU is strictly above this. */
  iou_threshold: z.number().min(0).max(1),
  /** Keep at most this many boxes (the highest scoring); -1 keeps all. */
  max_num: z.int().min(-1).default(-1),
  /** Ignore labels: boxes of different classes suppress each other. */
  class_agnostic: z.boolean().default(false),
});

/**
 * NMS settings, keys as in MMDetection configs.
 *
 * @example
 * const cfg: NmsCfg = { type: 'nms', iou_threshold: 0.6 };
 */
export type NmsCfg = z.input<typeof nmsCfgSchema>;

/**
 * Indices of the boxes that survive greedy NMS, by descending score (ties: lower index first).
 * `boxes` holds n·4 values x1y1x2y2, `scores` n values; `maxNum` > 0 stops after that many.
 *
 * @example
 * nms(new Float32Array([0, 0, 10, 10, 1, 1, 11, 11]), new Float32Array([0.9, 0.8]), 0.5); // Int32Array [0]
 */
export function nms(boxes: Float32Array, scores: Float32Array, iouThreshold: number, maxNum = -1): Int32Array {
  checkArrays('nms', boxes, scores);
  return greedyNms(boxes, scores, undefined, iouThreshold, maxNum);
}

/**
 * Class-aware NMS: indices of the surviving boxes over all classes, by descending score (ties: lower index
 * first). Boxes of different `labels` never suppress each other unless `cfg.class_agnostic`.
 *
 * @example
 * batchedNms(boxes, scores, labels, { type: 'nms', iou_threshold: 0.6, max_num: 100 });
 */
export function batchedNms(boxes: Float32Array, scores: Float32Array, labels: Int32Array, cfg: NmsCfg): Int32Array {
  checkArrays('batchedNms', boxes, scores);
  if (labels.length !== scores.length) {
    throw new DetlabError(`batchedNms: expected one label per box (${scores.length}), got ${labels.length} labels`);
  }
  if (!(cfg.iou_threshold >= 0 && cfg.iou_threshold <= 1)) {
    throw new DetlabError(`batchedNms: nms.iou_threshold must be a number in [0, 1], got ${String(cfg.iou_threshold)}`);
  }
  return greedyNms(boxes, scores, cfg.class_agnostic ? undefined : labels, cfg.iou_threshold, cfg.max_num ?? -1);
}

/** The shared loop: `labels` undefined puts every box in one class. */
function greedyNms(boxes: Float32Array, scores: Float32Array, labels: Int32Array | undefined, thr: number, maxNum: number): Int32Array {
  const n = scores.length;
  const order = sortByScore(scores);
  const areas = new Float64Array(n);
  for (let i = 0; i < n; i += 1) areas[i] = (boxes[4 * i + 2]! - boxes[4 * i]!) * (boxes[4 * i + 3]! - boxes[4 * i + 1]!);

  const limit = maxNum > 0 ? Math.min(maxNum, n) : n;
  const keep = new Int32Array(limit);
  let numKept = 0;
  // Kept boxes per label, so a candidate is compared with its own class only.
  const keptByLabel = new Map<number, number[]>();
  for (let r = 0; r < n && numKept < limit; r += 1) {
    const i = order[r]!;
    const label = labels ? labels[i]! : 0;
    let kept = keptByLabel.get(label);
    if (kept === undefined) keptByLabel.set(label, (kept = []));
    if (!suppressed(boxes, areas, i, kept, thr)) {
      kept.push(i);
      keep[numKept++] = i;
    }
  }
  return keep.slice(0, numKept); // a copy, so the result owns its buffer
}

/** Whether some box of `kept` overlaps box i with IoU > thr (mmcv nms_cpu's test). */
function suppressed(boxes: Float32Array, areas: Float64Array, i: number, kept: readonly number[], thr: number): boolean {
  const x1 = boxes[4 * i]!, y1 = boxes[4 * i + 1]!, x2 = boxes[4 * i + 2]!, y2 = boxes[4 * i + 3]!;
  const area = areas[i]!;
  for (const j of kept) {
    const w = Math.min(x2, boxes[4 * j + 2]!) - Math.max(x1, boxes[4 * j]!);
    if (w <= 0) continue; // disjoint in x: IoU 0, never above a threshold ≥ 0
    const h = Math.min(y2, boxes[4 * j + 3]!) - Math.max(y1, boxes[4 * j + 1]!);
    if (h <= 0) continue;
    const inter = w * h;
    if (inter / (area + areas[j]! - inter) > thr) return true;
  }
  return false;
}

/**
 * Indices 0..n−1 by descending score; equal scores keep ascending index (torch's stable sort, as mmcv). NaN
 * scores come first and −0 ties with +0, as torch compares them.
 *
 * A stable LSD radix sort on the float32 bits, 8 bits a pass: a comparator sort took 60% of batchedNms's time
 * on 1000 boxes; this takes about 30 µs. Passes where every key has the same byte (the sign and exponent byte of
 * scores in (0, 1], mostly) are skipped.
 */
function sortByScore(scores: Float32Array): Uint32Array {
  const n = scores.length;
  let keys = new Uint32Array(n);
  let order = new Uint32Array(n);
  let keysOut = new Uint32Array(n);
  let orderOut = new Uint32Array(n);
  const view = new Float32Array(1);
  const bits = new Uint32Array(view.buffer);
  for (let i = 0; i < n; i += 1) {
    const score = scores[i]!;
    view[0] = Number.isNaN(score) ? NaN : score === 0 ? 0 : score; // one NaN pattern; −0 as +0
    const u = bits[0]!;
    // IEEE-754 bits → an unsigned key that grows as the score falls: flip positives, keep negatives.
    keys[i] = u & 0x80000000 ? u : ~u & 0x7fffffff;
    order[i] = i;
  }
  const counts = new Uint32Array(256);
  for (let shift = 0; shift < 32 && n > 1; shift += 8) {
    counts.fill(0);
    for (let i = 0; i < n; i += 1) counts[(keys[i]! >>> shift) & 255]! += 1;
    if (counts[(keys[0]! >>> shift) & 255] === n) continue; // one bucket: the pass would change nothing
    for (let b = 0, start = 0; b < 256; b += 1) {
      const count = counts[b]!;
      counts[b] = start; // from now on: the next free position of bucket b
      start += count;
    }
    for (let i = 0; i < n; i += 1) {
      const position = counts[(keys[i]! >>> shift) & 255]!++;
      keysOut[position] = keys[i]!;
      orderOut[position] = order[i]!;
    }
    [keys, keysOut, order, orderOut] = [keysOut, keys, orderOut, order];
  }
  return order;
}

/** Throws unless `boxes` holds 4 values for each of the scores. */
function checkArrays(fn: string, boxes: Float32Array, scores: Float32Array): void {
  if (boxes.length !== 4 * scores.length) {
    throw new DetlabError(`${fn}: expected boxes of ${4 * scores.length} values (4 per score, ${scores.length} scores), got ${boxes.length}`);
  }
}
