/**
 * The per-image step of COCO evaluation: pycocotools' `computeIoU` and `evaluateImg` for boxes.
 *
 * For each (image, category) the IoU matrix is computed once and reused for every area range and IoU threshold,
 * as pycocotools does. Each detection then gets, per (area range, IoU threshold), one of three outcomes — true
 * positive, false positive or ignored — written at its accumulation position, so `accumulate` can read each
 * category's outcomes front to back.
 */
import type { CocoEvalParams } from './coco-params.js';
import type { PreparedCocoEval } from './coco-prepare.js';

/** Detection outcome codes in `CocoImageEvaluation.outcomes`. */
export const IGNORED = 0;
/** A detection matched to a ground-truth object that counts. */
export const TRUE_POSITIVE = 1;
/** A detection that matched nothing it may match, inside the area range. */
export const FALSE_POSITIVE = 2;

/**
 * Outcomes of every detection and the count of ground truth that counts, per category and area range.
 *
 * @example
 * const evaluated = evaluateImages(prepared, params);
 * evaluated.outcomes[(pos * A + a) * T + t]; // IGNORED, TRUE_POSITIVE or FALSE_POSITIVE
 */
export interface CocoImageEvaluation {
  /** Detections taking part (at most maxDets[-1] per image and category). */
  readonly detCount: number;
  /**
   * [detCount × A × T] outcome codes, detections in accumulation order. One detection's A × T codes are
   * adjacent, so writing them touches one cache line, not A × T lines across a 20 MB array.
   */
  readonly outcomes: Uint8Array;
  /** [K × A] non-ignored ground truth per category and area range (pycocotools' `npig`). */
  readonly npig: Float64Array;
}

/**
 * Runs `evaluateImg` for every (category, area range, image) pair that has ground truth or detections.
 *
 * Matching follows pycocotools to the letter: per IoU threshold, detections by descending score take the
 * best-IoU ground truth not yet taken (crowd regions can be taken many times), preferring objects that count
 * over ignored ones; an equal IoU later in the list wins (`iou >= best` replaces). A detection matched to
 * ignored ground truth is ignored; so is an unmatched one outside the area range.
 *
 * One pycocotools quirk is kept on purpose, for equal numbers: matches are stored as ground-truth ids and
 * "matched" is tested as `id != 0`, so a detection matched to an annotation whose id is 0 counts as a false
 * positive (mmdet numbers its converted annotations from 1 for this reason).
 *
 * @example
 * const evaluated = evaluateImages(prepareCocoEval(coco, dets, params), params);
 */
export function evaluateImages(prep: PreparedCocoEval, params: CocoEvalParams): CocoImageEvaluation {
  const T = params.iouThrs.length;
  const A = params.areaRng.length;
  const K = prep.catIds.length;
  const N = prep.dtAreas.length;
  const outcomes = new Uint8Array(N * A * T);
  const npig = new Float64Array(K * A);
  // pycocotools: iou = min([t, 1 - 1e-10]), so a threshold of 1 still admits a perfect match.
  const thresholds = Float64Array.from(params.iouThrs, (t) => Math.min(t, 1 - 1e-10));
  const areaLo = Float64Array.from(params.areaRng, ([lo]) => lo);
  const areaHi = Float64Array.from(params.areaRng, ([, hi]) => hi);

  let maxG = 0, maxD = 0;
  for (let p = 0; p < prep.pairCount; p += 1) {
    maxG = Math.max(maxG, prep.pairGtStart[p + 1]! - prep.pairGtStart[p]!);
    maxD = Math.max(maxD, prep.pairDtStart[p + 1]! - prep.pairDtStart[p]!);
  }
  const ious = new Float64Array(maxD * maxG); // [D × G], GT in list order
  const gtOrder = new Int32Array(maxG); // GT that count first, then ignored ones, each in list order
  const gtIgnored = new Uint8Array(maxG); // by position in gtOrder
  const gtTaken = new Uint8Array(maxG); // by position in gtOrder

  for (let p = 0; p < prep.pairCount; p += 1) {
    const k = prep.pairCat[p]!;
    const g0 = prep.pairGtStart[p]!, G = prep.pairGtStart[p + 1]! - g0;
    const d0 = prep.pairDtStart[p]!, D = prep.pairDtStart[p + 1]! - d0;
    if (G > 0 && D > 0) boxIous(prep.dtBoxes, d0, D, prep.gtBoxes, g0, G, prep.gtCrowd, ious);

    for (let a = 0; a < A; a += 1) {
      const lo = areaLo[a]!, hi = areaHi[a]!;
      if (G === 0) {
        // Nothing to match (most pairs: a class detected where it is absent): false positive, or ignored
        // outside the area range, at every IoU threshold.
        for (let d = 0; d < D; d += 1) {
          const area = prep.dtAreas[d0 + d]!;
          const at = (prep.dtAccPos[d0 + d]! * A + a) * T;
          outcomes.fill(area < lo || area > hi ? IGNORED : FALSE_POSITIVE, at, at + T);
        }
        continue;
      }
      let counted = 0;
      for (let g = 0; g < G; g += 1) {
        const area = prep.gtAreas[g0 + g]!;
        if (!prep.gtCrowd[g0 + g] && !(area < lo || area > hi)) gtOrder[counted++] = g;
      }
      npig[k * A + a] += counted;
      for (let g = 0, n = counted; g < G; g += 1) {
        const area = prep.gtAreas[g0 + g]!;
        if (prep.gtCrowd[g0 + g] || area < lo || area > hi) gtOrder[n++] = g;
      }
      gtIgnored.fill(0, 0, counted);
      gtIgnored.fill(1, counted, G);

      for (let t = 0; t < T; t += 1) {
        gtTaken.fill(0, 0, G);
        for (let d = 0; d < D; d += 1) {
          let best = thresholds[t]!;
          let m = -1;
          for (let gi = 0; gi < G; gi += 1) {
            const g = gtOrder[gi]!;
            if (gtTaken[gi] && !prep.gtCrowd[g0 + g]) continue; // taken, and not a crowd
            if (m > -1 && !gtIgnored[m] && gtIgnored[gi]) break; // have one that counts; the rest are ignored
            const iou = ious[d * G + g]!;
            if (iou < best) continue;
            best = iou;
            m = gi;
          }
          // pycocotools keeps the matched GT's id (dtm) and tests it against 0 for "matched".
          const unmatched = m === -1 || prep.gtIds[g0 + gtOrder[m]!] === 0;
          if (m > -1) gtTaken[m] = 1;
          const area = prep.dtAreas[d0 + d]!;
          const ignored = (m > -1 && gtIgnored[m] === 1) || (unmatched && (area < lo || area > hi));
          outcomes[(prep.dtAccPos[d0 + d]! * A + a) * T + t] = ignored ? IGNORED : unmatched ? FALSE_POSITIVE : TRUE_POSITIVE;
        }
      }
    }
  }
  return { detCount: N, outcomes, npig };
}

/**
 * IoU of D detections against G ground-truth boxes (x, y, w, h) into `out` [D × G], with the exact operations
 * of pycocotools' `bbIou` (common/maskApi.c) so results agree to the last bit: right/bottom edges recomputed
 * as x + w, and for a crowd region the union is the detection's own area (the part of the detection inside).
 */
function boxIous(
  dt: Float64Array, d0: number, D: number, gt: Float64Array, g0: number, G: number, crowd: Uint8Array, out: Float64Array,
): void {
  for (let g = 0; g < G; g += 1) {
    const gx = gt[4 * (g0 + g)]!, gy = gt[4 * (g0 + g) + 1]!, gw = gt[4 * (g0 + g) + 2]!, gh = gt[4 * (g0 + g) + 3]!;
    const ga = gw * gh;
    const isCrowd = crowd[g0 + g] === 1;
    for (let d = 0; d < D; d += 1) {
      const o = 4 * (d0 + d);
      const dx = dt[o]!, dy = dt[o + 1]!, dw = dt[o + 2]!, dh = dt[o + 3]!;
      out[d * G + g] = 0;
      const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (w <= 0) continue;
      const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
      if (h <= 0) continue;
      const da = dw * dh;
      const inter = w * h;
      out[d * G + g] = inter / (isCrowd ? da : da + ga - inter);
    }
  }
}
