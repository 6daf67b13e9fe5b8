/**
 * Parameters of the COCO box evaluation, with pycocotools' defaults (`Params.setDetParams` in
 * `pycocotools/cocoeval.py`).
 */
import { DetlabError } from '@detlab/core';
import { linspace } from './python-numerics.js';

/** Largest box side pycocotools allows for; areas up to 1e5² count as "all" and "large". */
const MAX_SIDE = 1e5;

/**
 * What to evaluate and at which thresholds. Arrays are read, never changed.
 *
 * @example
 * const params: CocoEvalParams = { ...cocoEvalParams(), maxDets: [100, 300, 1000] }; // as mmdet's CocoMetric
 */
export interface CocoEvalParams {
  /** Images to evaluate; default every image of the ground truth. Sorted and made unique, as `np.unique`. */
  imgIds?: readonly number[];
  /** Categories to evaluate; default every category of the ground truth. Sorted and made unique. */
  catIds?: readonly number[];
  /** IoU thresholds T: default 0.50:0.05:0.95 (10 values). */
  iouThrs: readonly number[];
  /** Recall thresholds R where precision is sampled: default 0:0.01:1 (101 values). */
  recThrs: readonly number[];
  /** Detections kept per image and category, M values, sorted ascending; default [1, 10, 100]. */
  maxDets: readonly number[];
  /** Object-area ranges A, inclusive, pixels²: all, small, medium, large by default. */
  areaRng: ReadonlyArray<readonly [number, number]>;
  /** One label per area range; `summarize` looks up 'all', 'small', 'medium' and 'large'. */
  areaRngLbl: readonly string[];
}

/**
 * pycocotools' detection defaults, with `overrides` on top.
 *
 * @example
 * cocoEvalParams({ maxDets: [100, 300, 1000] }).iouThrs.length; // 10
 */
export function cocoEvalParams(overrides: Partial<CocoEvalParams> = {}): CocoEvalParams {
  return {
    // np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1) and np.linspace(.0, 1.00, 101), bit for bit.
    iouThrs: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recThrs: linspace(0, 1, Math.round(1 / 0.01) + 1),
    maxDets: [1, 10, 100],
    areaRng: [
      [0 ** 2, MAX_SIDE ** 2],
      [0 ** 2, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, MAX_SIDE ** 2],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
    ...overrides,
  };
}

/**
 * Checks `params` and returns the form the evaluation uses: maxDets sorted (as pycocotools' `evaluate` does) and
 * every array copied, so later edits by the caller cannot change a running evaluation.
 *
 * @example
 * normalizeParams(cocoEvalParams({ maxDets: [100, 1, 10] })).maxDets; // [1, 10, 100]
 */
export function normalizeParams(params: CocoEvalParams): CocoEvalParams {
  const where = 'CocoEvaluator params';
  if (params.iouThrs.length === 0 || params.iouThrs.some((t) => !(t > 0 && t <= 1))) {
    throw new DetlabError(`${where}.iouThrs: expected one or more values in (0, 1], got [${params.iouThrs.join(', ')}]`);
  }
  if (params.recThrs.length === 0 || params.recThrs.some((r, i) => !(r >= 0 && r <= 1) || (i > 0 && r < params.recThrs[i - 1]!))) {
    throw new DetlabError(`${where}.recThrs: expected ascending values in [0, 1], got [${params.recThrs.join(', ')}]`);
  }
  if (params.maxDets.length === 0 || params.maxDets.some((m) => !Number.isInteger(m) || m < 1)) {
    throw new DetlabError(`${where}.maxDets: expected positive integers, got [${params.maxDets.join(', ')}]`);
  }
  if (params.areaRng.length === 0 || params.areaRng.length !== params.areaRngLbl.length) {
    throw new DetlabError(
      `${where}: expected one label per area range, got ${params.areaRng.length} ranges and ${params.areaRngLbl.length} labels`,
    );
  }
  return {
    ...params,
    iouThrs: [...params.iouThrs],
    recThrs: [...params.recThrs],
    maxDets: [...params.maxDets].sort((a, b) => a - b),
    areaRng: params.areaRng.map(([lo, hi]) => [lo, hi] as const),
    areaRngLbl: [...params.areaRngLbl],
  };
}
