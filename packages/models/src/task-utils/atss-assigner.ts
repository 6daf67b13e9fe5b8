/**
 * Adaptive Training Sample Selection (Zhang et al., "Bridging the Gap Between Anchor-based and Anchor-free
 * Detection via Adaptive Training Sample Selection", CVPR 2020); mirrors mmdet `ATSSAssigner`
 * (`mmdet/models/task_modules/assigners/atss_assigner.py`) without DDOD's cost-based `alpha` variant.
 *
 * For each GT:
 * 1. on every pyramid level take the `topk` priors whose centres are closest to the GT centre (all of them on a
 *    level with fewer priors): these are the candidates;
 * 2. IoU threshold = mean + std (unbiased, n − 1) of the candidates' IoUs with the GT;
 * 3. a candidate is positive if its IoU ≥ threshold and its centre lies inside the GT (the smallest distance
 *    from the centre to a side is > 0.01).
 * A prior positive for several GTs goes to the one with the highest IoU; every other prior is background.
 * Priors whose IoF with an ignore box exceeds `ignore_iof_thr` (when > 0) are marked ignored (-1) and pushed to
 * the back of the distance ranking, unless they still turn out positive, as in mmdet.
 *
 * Works on plain typed arrays (no gradient flows through assignment) and only computes the IoUs of candidate
 * pairs (topk · levels per GT) with the configured calculator in aligned mode, instead of mmdet's full
 * priors × GTs matrix: that is all the algorithm reads, and it makes the assignment O(priors · GTs) in cheap
 * distance computations.
 *
 * Departures from mmdet, for determinism: among priors at the same distance, the lower index is taken first
 * (torch.topk leaves ties unspecified); among GTs with the same IoU, the lower GT index wins (torch.max's
 * behaviour on CPU). Mean and std are accumulated in float64.
 *
 * @example
 * train_cfg: { assigner: { type: 'ATSSAssigner', topk: 9 }, allowed_border: -1, pos_weight: -1, debug: false }
 */
import { DetlabError, TASK_UTILS, ref } from '@detlab/core';
import { z } from 'zod';
import type { IouCalculator } from './bbox-overlaps.js';
import './bbox-overlaps.js'; // registers BboxOverlaps2D, the default iou_calculator

/** mmdet's INF: the distance of ignored priors, and `-INF` the max overlap of non-positive priors. */
export const ATSS_INF = 100000000;

/**
 * Options of `ATSSAssigner`, validated, with mmdet's defaults.
 *
 * @example
 * atssAssignerSchema.parse({ topk: 9 }); // iou_calculator BboxOverlaps2D, ignore_iof_thr -1
 */
export const atssAssignerSchema = z.strictObject({
  /** Candidates per level and GT, by centre distance. */
  topk: z.int().positive(),
  /** Builds the IoU calculator from TASK_UTILS; it must have `overlaps(b1, b2, mode, isAligned)`. */
  iou_calculator: ref(TASK_UTILS).default({ type: 'BboxOverlaps2D' }),
  /** IoF above which a prior overlapping an ignore box is ignored; ≤ 0 turns ignoring off. */
  ignore_iof_thr: z.number().default(-1),
});

/**
 * Options of `ATSSAssigner`, keys as in MMDetection configs.
 *
 * @example
 * const options: ATSSAssignerOptions = { topk: 9 };
 */
export type ATSSAssignerOptions = z.input<typeof atssAssignerSchema>;

/**
 * Inputs of `ATSSAssigner.assign`, for one image.
 *
 * @example
 * assigner.assign({ priors, numLevelPriors: [15200, 3800, 950, 247, 70], gtBboxes, gtLabels });
 */
export interface AssignInput {
  /** Priors (anchors) of all levels, concatenated finest first: [n, 4] x1y1x2y2. */
  priors: Float32Array;
  /** Priors on each level, in the order of `priors`; they sum to n. */
  numLevelPriors: readonly number[];
  /** GT boxes [k, 4] x1y1x2y2. */
  gtBboxes: Float32Array;
  /** GT class indices [k]. */
  gtLabels: Int32Array;
  /** Boxes whose overlapping priors are ignored (with ignore_iof_thr > 0): [m, 4]. */
  gtBboxesIgnore?: Float32Array;
}

/**
 * mmdet's `AssignResult` for one image.
 *
 * @example
 * const { gtInds, labels } = assigner.assign(input); // gtInds[i] = 3: prior i regresses GT 2
 */
export interface AssignResult {
  numGts: number;
  /** Per prior: 0 background, i + 1 for GT i, -1 ignored. */
  gtInds: Int32Array;
  /** Per prior: IoU with its GT for positives; -ATSS_INF for the rest (mmdet's value), 0 for all without GTs. */
  maxOverlaps: Float32Array;
  /** Per prior: the GT's label for positives, -1 otherwise. */
  labels: Int32Array;
}

/**
 * The ATSS assigner; see the file comment.
 *
 * @example
 * assigner: { type: 'ATSSAssigner', topk: 9, iou_calculator: { type: 'BboxOverlaps2D' }, ignore_iof_thr: -1 }
 */
@TASK_UTILS.register({ name: 'ATSSAssigner', schema: atssAssignerSchema, description: 'Adaptive training sample selection (mmdet ATSSAssigner).' })
export class ATSSAssigner {
  readonly options: z.output<typeof atssAssignerSchema>;
  readonly iouCalculator: IouCalculator;

  constructor(options: ATSSAssignerOptions) {
    this.options = atssAssignerSchema.parse(options);
    this.iouCalculator = TASK_UTILS.build<IouCalculator>(this.options.iou_calculator, { path: 'iou_calculator' });
    if (typeof (this.iouCalculator as Partial<IouCalculator>).overlaps !== 'function') {
      throw new DetlabError(`ATSSAssigner: iou_calculator must build an object with an overlaps(bboxes1, bboxes2, mode, isAligned) method`);
    }
  }

  /** Assigns every prior to a GT (index + 1), the background (0) or ignore (-1). See the file comment. */
  assign(input: AssignInput): AssignResult {
    const { priors, numLevelPriors, gtBboxes, gtLabels } = input;
    const numPriors = priors.length / 4;
    const numGts = gtBboxes.length / 4;
    checkInput(input, numPriors, numGts);

    const gtInds = new Int32Array(numPriors); // 0: background
    const labels = new Int32Array(numPriors).fill(-1);
    if (numGts === 0 || numPriors === 0) return { numGts, gtInds, maxOverlaps: new Float32Array(numPriors), labels };

    const cx = new Float64Array(numPriors);
    const cy = new Float64Array(numPriors);
    for (let i = 0; i < numPriors; i += 1) {
      cx[i] = (priors[4 * i]! + priors[4 * i + 2]!) / 2;
      cy[i] = (priors[4 * i + 1]! + priors[4 * i + 3]!) / 2;
    }
    const ignored = this.ignoredPriors(priors, input.gtBboxesIgnore);
    if (ignored) for (let i = 0; i < numPriors; i += 1) if (ignored[i]) gtInds[i] = -1;

    // Candidates: per GT, per level, the topk closest centres, laid out [gt][candidate].
    const perGt = numLevelPriors.reduce((sum, count) => sum + Math.min(this.options.topk, count), 0);
    const candidates = new Int32Array(numGts * perGt);
    for (let g = 0; g < numGts; g += 1) this.selectCandidates(g, gtBboxes, cx, cy, ignored, numLevelPriors, candidates.subarray(g * perGt, (g + 1) * perGt));

    // IoUs of the candidate pairs only, as one aligned call: [numGts · perGt].
    const pairPriors = new Float32Array(candidates.length * 4);
    const pairGts = new Float32Array(candidates.length * 4);
    candidates.forEach((p, c) => {
      const g = Math.floor(c / perGt);
      pairPriors.set(priors.subarray(4 * p, 4 * p + 4), 4 * c);
      pairGts.set(gtBboxes.subarray(4 * g, 4 * g + 4), 4 * c);
    });
    const ious = this.iouCalculator.overlaps(pairPriors, pairGts, 'iou', true);

    // Highest positive IoU per prior (-INF: none yet), resolved GT by GT; a strict > keeps the lower GT on ties.
    const maxOverlaps = new Float32Array(numPriors).fill(-ATSS_INF);
    for (let g = 0; g < numGts; g += 1) {
      const gIous = ious.subarray(g * perGt, (g + 1) * perGt);
      const threshold = meanPlusStd(gIous); // NaN with a single candidate (n − 1 = 0): nothing is positive, as in mmdet
      const x1 = gtBboxes[4 * g]!, y1 = gtBboxes[4 * g + 1]!, x2 = gtBboxes[4 * g + 2]!, y2 = gtBboxes[4 * g + 3]!;
      for (let c = 0; c < perGt; c += 1) {
        const p = candidates[g * perGt + c]!;
        const iou = gIous[c]!;
        if (!(iou >= threshold)) continue;
        // Centre strictly inside the GT: mmdet's min(l, t, r, b) > 0.01 rather than > 0 tolerates rounding.
        const inside = Math.min(cx[p]! - x1, cy[p]! - y1, x2 - cx[p]!, y2 - cy[p]!) > 0.01;
        if (inside && iou > maxOverlaps[p]!) {
          maxOverlaps[p] = iou;
          gtInds[p] = g + 1;
        }
      }
    }
    for (let i = 0; i < numPriors; i += 1) if (maxOverlaps[i] !== -ATSS_INF) labels[i] = gtLabels[gtInds[i]! - 1]!;
    return { numGts, gtInds, maxOverlaps, labels };
  }

  /**
   * Fills `out` with GT `g`'s candidates: per level the min(topk, count) priors with the closest centres,
   * nearest first, the lower index first among equal distances. Ignored priors rank at distance INF.
   */
  private selectCandidates(
    g: number,
    gtBboxes: Float32Array,
    cx: Float64Array,
    cy: Float64Array,
    ignored: Uint8Array | undefined,
    numLevelPriors: readonly number[],
    out: Int32Array,
  ): void {
    const gx = (gtBboxes[4 * g]! + gtBboxes[4 * g + 2]!) / 2;
    const gy = (gtBboxes[4 * g + 1]! + gtBboxes[4 * g + 3]!) / 2;
    const ignoredDist2 = ATSS_INF * ATSS_INF; // squared: ranks compare squared distances, which keeps the order
    let start = 0;
    let written = 0;
    const best = new Float64Array(this.options.topk); // the kept squared distances, ascending
    for (const count of numLevelPriors) {
      const k = Math.min(this.options.topk, count);
      const kept = out.subarray(written, written + k);
      let size = 0;
      for (let i = start; i < start + count; i += 1) {
        const dist2 = ignored?.[i] ? ignoredDist2 : (cx[i]! - gx) ** 2 + (cy[i]! - gy) ** 2;
        if (size === k && dist2 >= best[k - 1]!) continue; // the common case: not among the k nearest
        // Insertion into the sorted top-k, after any equal distance so that earlier priors stay first.
        let pos = size < k ? size++ : k - 1;
        while (pos > 0 && best[pos - 1]! > dist2) {
          best[pos] = best[pos - 1]!;
          kept[pos] = kept[pos - 1]!;
          pos -= 1;
        }
        best[pos] = dist2;
        kept[pos] = i;
      }
      written += k;
      start += count;
    }
  }

  /** Per prior 1 when its IoF with some ignore box exceeds ignore_iof_thr; undefined when ignoring is off. */
  private ignoredPriors(priors: Float32Array, ignoreBoxes: Float32Array | undefined): Uint8Array | undefined {
    const thr = this.options.ignore_iof_thr;
    if (!(thr > 0) || ignoreBoxes === undefined || ignoreBoxes.length === 0 || priors.length === 0) return undefined;
    const numIgnore = ignoreBoxes.length / 4;
    const iof = this.iouCalculator.overlaps(priors, ignoreBoxes, 'iof', false); // [n, m]
    const flags = new Uint8Array(priors.length / 4);
    for (let i = 0; i < flags.length; i += 1) {
      for (let j = 0; j < numIgnore; j += 1) if (iof[i * numIgnore + j]! > thr) flags[i] = 1;
    }
    return flags;
  }
}

/** mean + unbiased std (n − 1), as torch's `mean(0) + std(0)`; NaN for a single value. */
function meanPlusStd(values: Float32Array): number {
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return mean + Math.sqrt(squares / (n - 1));
}

/** Throws when the arrays do not describe n priors on the given levels and k labelled GTs. */
function checkInput(input: AssignInput, numPriors: number, numGts: number): void {
  const fail = (message: string) => {
    throw new DetlabError(`ATSSAssigner.assign: ${message}`);
  };
  if (!Number.isInteger(numPriors)) fail(`priors must hold 4 values per prior, got ${input.priors.length} values`);
  if (!Number.isInteger(numGts)) fail(`gtBboxes must hold 4 values per box, got ${input.gtBboxes.length} values`);
  if (input.gtBboxesIgnore && input.gtBboxesIgnore.length % 4 !== 0) {
    fail(`gtBboxesIgnore must hold 4 values per box, got ${input.gtBboxesIgnore.length} values`);
  }
  if (input.gtLabels.length !== numGts) fail(`expected ${numGts} gtLabels (one per GT box), got ${input.gtLabels.length}`);
  const total = input.numLevelPriors.reduce((a, b) => a + b, 0);
  if (total !== numPriors) fail(`numLevelPriors [${input.numLevelPriors.join(', ')}] sum to ${total}, but priors holds ${numPriors}`);
}
