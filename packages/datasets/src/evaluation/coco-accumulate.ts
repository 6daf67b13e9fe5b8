/**
 * pycocotools' `accumulate`: precision at 101 recall points and the final recall, per IoU threshold, category,
 * area range and maxDets.
 *
 * Per setting, a category's detections are walked by descending score (the order `prepareCocoEval` fixed),
 * counting true and false positives; precision is made monotone from the right (each point becomes the best
 * precision at any higher recall), then sampled where recall first reaches each threshold
 * (`np.searchsorted(rc, recThrs, side='left')`); thresholds past the last recall reached get 0.
 *
 * Ignored detections are skipped instead of carried as flat steps: they change neither count, so they repeat
 * the point before them and cannot change any sample. Settings without ground truth that counts stay −1.
 */
import type { CocoImageEvaluation } from './coco-evaluate.js';
import { FALSE_POSITIVE, TRUE_POSITIVE } from './coco-evaluate.js';
import type { CocoEvalParams } from './coco-params.js';
import type { PreparedCocoEval } from './coco-prepare.js';

/** `np.spacing(1)`: keeps tp / (tp + fp) defined before the first counted detection. */
const EPS = 2.220446049250313e-16;

/**
 * pycocotools' `eval` arrays, in numpy's C order.
 *
 * @example
 * const { precision, shape: [T, R, K, A, M] } = accumulated;
 * precision[(((t * R + r) * K + k) * A + a) * M + m]; // −1 where category k has no ground truth in range a
 */
export interface CocoAccumulation {
  /** [T, R, K, A, M] */
  readonly shape: readonly [number, number, number, number, number];
  /** [T × R × K × A × M] interpolated precision; −1 where there is no ground truth to find. */
  readonly precision: Float64Array;
  /** [T × K × A × M] recall reached with all kept detections; −1 where there is no ground truth to find. */
  readonly recall: Float64Array;
}

/**
 * Accumulates `evaluated` into precision and recall arrays; see the file comment.
 *
 * @example
 * const accumulated = accumulate(prepared, evaluateImages(prepared, params), params);
 */
export function accumulate(prep: PreparedCocoEval, evaluated: CocoImageEvaluation, params: CocoEvalParams): CocoAccumulation {
  const T = params.iouThrs.length, R = params.recThrs.length, K = prep.catIds.length;
  const A = params.areaRng.length, M = params.maxDets.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const { outcomes } = evaluated;
  const recThrs = params.recThrs;

  let longest = 0;
  for (let k = 0; k < K; k += 1) longest = Math.max(longest, prep.catAccStart[k + 1]! - prep.catAccStart[k]!);
  const rc = new Float64Array(longest);
  const pr = new Float64Array(longest);
  const stride = K * A * M; // between recall thresholds in `precision`

  for (let k = 0; k < K; k += 1) {
    const start = prep.catAccStart[k]!, end = prep.catAccStart[k + 1]!;
    // Most detections per image in this category: a maxDets at or above it keeps every detection.
    let pairMost = 0;
    for (let pos = start; pos < end; pos += 1) pairMost = Math.max(pairMost, prep.accRank[pos]! + 1);
    for (let a = 0; a < A; a += 1) {
      const npig = evaluated.npig[k * A + a]!;
      if (npig === 0) continue;
      for (let m = 0; m < M; m += 1) {
        const maxDet = params.maxDets[m]!;
        if (m > 0 && params.maxDets[m - 1]! >= pairMost) {
          // Same detections as the previous maxDets (mmdet's 100/300/1000 on a top-100 detector): same numbers.
          for (let t = 0; t < T; t += 1) {
            recall[((t * K + k) * A + a) * M + m] = recall[((t * K + k) * A + a) * M + m - 1]!;
            for (let r = 0, out = ((t * R) * K + k) * A * M + a * M + m; r < R; r += 1, out += stride) precision[out] = precision[out - 1]!;
          }
          continue;
        }
        for (let t = 0; t < T; t += 1) {
          let tp = 0, fp = 0, n = 0;
          for (let pos = start, at = (start * A + a) * T + t; pos < end; pos += 1, at += A * T) {
            if (prep.accRank[pos]! >= maxDet) continue;
            const outcome = outcomes[at]!;
            if (outcome === TRUE_POSITIVE) tp += 1;
            else if (outcome === FALSE_POSITIVE) fp += 1;
            else continue;
            rc[n] = tp / npig;
            pr[n] = tp / (fp + tp + EPS);
            n += 1;
          }
          recall[((t * K + k) * A + a) * M + m] = n > 0 ? rc[n - 1]! : 0;
          for (let i = n - 1; i > 0; i -= 1) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
          for (let r = 0, i = 0, out = ((t * R) * K + k) * A * M + a * M + m; r < R; r += 1, out += stride) {
            while (i < n && rc[i]! < recThrs[r]!) i += 1;
            precision[out] = i < n ? pr[i]! : 0;
          }
        }
      }
    }
  }
  return { shape: [T, R, K, A, M], precision, recall };
}
