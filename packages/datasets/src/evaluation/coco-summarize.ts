/**
 * pycocotools' `summarize` for boxes: the 12 standard COCO numbers and the lines it prints.
 *
 * Each number is the mean of the precision (or recall) entries of one slice that are not −1, so categories
 * without ground truth drop out of the mean instead of counting as 0; a slice with no such entry gives −1.
 * Means are numpy's (pairwise sums, in C order), for numbers equal to pycocotools' to the last bit.
 */
import { DetlabError } from '@detlab/core';
import type { CocoAccumulation } from './coco-accumulate.js';
import type { CocoEvalParams } from './coco-params.js';
import { formatFixed, numpyMean } from './python-numerics.js';

/**
 * One slice of the accumulated arrays to average: all IoU thresholds and categories unless narrowed.
 *
 * @example
 * const ap50: SummarySlice = { ap: true, iouThr: 0.5, areaRng: 'all', maxDets: 100 };
 */
export interface SummarySlice {
  /** Precision (AP) when true, recall (AR) when false. */
  ap: boolean;
  /** One IoU threshold, matched exactly against `params.iouThrs`; all of them when absent. */
  iouThr?: number;
  /** Area-range label. */
  areaRng: string;
  /** A value of `params.maxDets`. */
  maxDets: number;
  /** Category indices (positions in the sorted category ids); all when absent. */
  catIndices?: readonly number[];
}

/**
 * Mean of the entries of `slice` that are above −1, or −1 when there are none (pycocotools' `_summarize`).
 *
 * @example
 * summarizeSlice(accumulated, params, { ap: true, areaRng: 'all', maxDets: 100 }); // COCO AP
 */
export function summarizeSlice(acc: CocoAccumulation, params: CocoEvalParams, slice: SummarySlice): number {
  const [T, R, K, A, M] = acc.shape;
  const tIdx = indicesWhere(params.iouThrs, (t) => slice.iouThr === undefined || t === slice.iouThr);
  const aIdx = indicesWhere(params.areaRngLbl, (l) => l === slice.areaRng);
  const mIdx = indicesWhere(params.maxDets, (m) => m === slice.maxDets);
  const kIdx = slice.catIndices ?? Array.from({ length: K }, (_, k) => k);
  if (aIdx.length > 1 || mIdx.length > 1) {
    throw new DetlabError(`CocoEvaluator.summarize: area range '${slice.areaRng}' and maxDets ${slice.maxDets} must each appear once in params`);
  }
  const [a, m] = [aIdx[0], mIdx[0]];
  if (a === undefined || m === undefined) return -1;
  // Gathered in numpy's C order of s[t, r, k] (precision) or s[t, k] (recall), as np.mean sums them.
  const rows = slice.ap ? R : 1;
  const values = new Float64Array(tIdx.length * rows * kIdx.length);
  let n = 0;
  for (const t of tIdx) {
    for (let r = 0; r < rows; r += 1) {
      for (const k of kIdx) {
        const v = slice.ap ? acc.precision[((((t * R + r) * K + k) * A + a) * M) + m]! : acc.recall[((t * K + k) * A + a) * M + m]!;
        if (v > -1) values[n++] = v;
      }
    }
  }
  return n === 0 ? -1 : numpyMean(values, n);
}

/**
 * The 12 COCO box numbers in pycocotools' order: AP, AP50, AP75, AP small/medium/large at maxDets[2]; AR at
 * maxDets[0], [1], [2]; AR small/medium/large at maxDets[2]. With mmdet's maxDets [100, 300, 1000] these are
 * its `mAP … mAP_l, AR@100, AR@300, AR@1000, AR_s@1000 …` items.
 *
 * @example
 * const [mAP, mAP50] = summarizeDets(accumulated, params).stats;
 */
export function summarizeDets(acc: CocoAccumulation, params: CocoEvalParams): { stats: number[]; lines: string[] } {
  const md = params.maxDets;
  if (md.length < 3) {
    throw new DetlabError(`CocoEvaluator.summarize: expected at least 3 maxDets (pycocotools reads maxDets[0..2]), got [${md.join(', ')}]`);
  }
  const slices: SummarySlice[] = [
    { ap: true, areaRng: 'all', maxDets: md[2]! },
    { ap: true, iouThr: 0.5, areaRng: 'all', maxDets: md[2]! },
    { ap: true, iouThr: 0.75, areaRng: 'all', maxDets: md[2]! },
    { ap: true, areaRng: 'small', maxDets: md[2]! },
    { ap: true, areaRng: 'medium', maxDets: md[2]! },
    { ap: true, areaRng: 'large', maxDets: md[2]! },
    { ap: false, areaRng: 'all', maxDets: md[0]! },
    { ap: false, areaRng: 'all', maxDets: md[1]! },
    { ap: false, areaRng: 'all', maxDets: md[2]! },
    { ap: false, areaRng: 'small', maxDets: md[2]! },
    { ap: false, areaRng: 'medium', maxDets: md[2]! },
    { ap: false, areaRng: 'large', maxDets: md[2]! },
  ];
  const stats = slices.map((s) => summarizeSlice(acc, params, s));
  return { stats, lines: slices.map((s, i) => summaryLine(params, s, stats[i]!)) };
}

/** One line as pycocotools prints it: ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.504`. */
function summaryLine(params: CocoEvalParams, s: SummarySlice, value: number): string {
  const title = (s.ap ? 'Average Precision' : 'Average Recall').padEnd(18);
  const iou = s.iouThr === undefined
    ? `${formatFixed(params.iouThrs[0]!, 2)}:${formatFixed(params.iouThrs[params.iouThrs.length - 1]!, 2)}`
    : formatFixed(s.iouThr, 2);
  return ` ${title} ${s.ap ? '(AP)' : '(AR)'} @[ IoU=${iou.padEnd(9)} | area=${s.areaRng.padStart(6)} | maxDets=${String(s.maxDets).padStart(3)} ] = ${formatFixed(value, 3)}`;
}

function indicesWhere<T>(values: readonly T[], keep: (v: T) => boolean): number[] {
  const out: number[] = [];
  values.forEach((v, i) => keep(v) && out.push(i));
  return out;
}
