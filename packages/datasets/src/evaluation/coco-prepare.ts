/**
 * Groups ground truth and detections by (category, image) once, into typed arrays, in exactly the orders
 * pycocotools uses (`COCOeval._prepare`, `computeIoU`, `accumulate`):
 *
 * - ground truth of one (image, category) keeps the order of the annotation list;
 * - detections of one (image, category) are sorted by descending score, ties in input order (numpy's stable
 *   `argsort(kind='mergesort')`), and cut to the largest maxDet;
 * - accumulation walks one category's detections by descending score, ties by image (ascending id) and then
 *   rank in the image: the order of pycocotools' stable sort of the per-image lists concatenated by image id.
 *
 * Sorting once here, instead of per (image, category, area range) as pycocotools does, is what makes the
 * evaluation fast; the orders are the same, so are the numbers.
 */
import { DetlabError } from '@detlab/core';
import type { CocoDetections } from './coco-detections.js';
import type { CocoEvalParams } from './coco-params.js';
import type { CocoJson } from './coco-types.js';
import { sortByScoreDesc } from './sort-by-score.js';

/**
 * Ground truth and detections grouped per (category, image) "pair". GT and detection arrays are in pair order,
 * so pair p owns GT `[pairGtStart[p], pairGtStart[p+1])` and detections `[pairDtStart[p], pairDtStart[p+1])`.
 *
 * @example
 * const prepared = prepareCocoEval(coco, dets, cocoEvalParams());
 */
export interface PreparedCocoEval {
  /** Evaluated image ids, ascending (`np.unique(p.imgIds)`). */
  readonly imgIds: readonly number[];
  /** Evaluated category ids, ascending. */
  readonly catIds: readonly number[];
  readonly pairCount: number;
  /** Category index k of each pair; pairs are sorted by (k, image index). */
  readonly pairCat: Int32Array;
  readonly pairGtStart: Int32Array;
  readonly pairDtStart: Int32Array;
  /** GT boxes [G × 4] x, y, w, h. */
  readonly gtBoxes: Float64Array;
  /** The annotation's `area` field (w × h when it has none). */
  readonly gtAreas: Float64Array;
  readonly gtCrowd: Uint8Array;
  readonly gtIds: Float64Array;
  /** Detection boxes [D × 4] x, y, w, h, in pair order, each pair by descending score. */
  readonly dtBoxes: Float64Array;
  /** w × h, as pycocotools' `loadRes` sets `area` for box results. */
  readonly dtAreas: Float64Array;
  /** Where each detection sits in the accumulation order. */
  readonly dtAccPos: Int32Array;
  /** Category k owns accumulation positions `[catAccStart[k], catAccStart[k+1])`. */
  readonly catAccStart: Int32Array;
  /** Rank of the detection at each accumulation position within its (image, category), 0 = best score. */
  readonly accRank: Int32Array;
}

/**
 * Filters `gt` and `dets` to the evaluated images and categories and groups them; see the file comment.
 * Detections of other images or categories are left out silently, as pycocotools' `getAnnIds` filter does.
 *
 * @example
 * const prepared = prepareCocoEval(coco, detectionsFromResults(results), normalizeParams(cocoEvalParams()));
 */
export function prepareCocoEval(gt: CocoJson, dets: CocoDetections, params: CocoEvalParams): PreparedCocoEval {
  const imgIds = uniqueSorted(params.imgIds ?? gt.images.map((im) => im.id));
  const catIds = uniqueSorted(params.catIds ?? gt.categories.map((c) => c.id));
  const imgIndex = idIndex(imgIds);
  const catIndex = idIndex(catIds);
  const I = imgIds.length;
  const K = catIds.length;
  const maxDetMax = params.maxDets[params.maxDets.length - 1]!;

  // Ground truth: keep the evaluated ones, then group by (k, i) keeping list order.
  const anns = (gt.annotations ?? []).filter((a) => imgIndex(a.image_id) >= 0 && catIndex(a.category_id) >= 0);
  const gtImg = Int32Array.from(anns, (a) => imgIndex(a.image_id));
  const gtCat = Int32Array.from(anns, (a) => catIndex(a.category_id));
  const gtOrder = groupOrder(Int32Array.from(anns, (_, i) => i), gtImg, gtCat, I, K);
  const G = anns.length;
  const gtBoxes = new Float64Array(4 * G), gtAreas = new Float64Array(G), gtIds = new Float64Array(G);
  const gtCrowd = new Uint8Array(G);
  const gtKey = new Float64Array(G);
  for (let j = 0; j < G; j += 1) {
    const src = gtOrder[j]!;
    const a = anns[src]!;
    if (a.bbox.length !== 4) {
      throw new DetlabError(`annotation ${a.id} (image ${a.image_id}): expected bbox [x, y, width, height], got ${JSON.stringify(a.bbox)}`);
    }
    gtBoxes.set(a.bbox, 4 * j);
    // pycocotools requires `area`; boxes converted without one get w × h, what mmdet's converter writes.
    gtAreas[j] = a.area ?? a.bbox[2]! * a.bbox[3]!;
    gtCrowd[j] = a.iscrowd ? 1 : 0; // pycocotools: gt['ignore'] = 'iscrowd' in gt and gt['iscrowd']
    gtIds[j] = a.id;
    gtKey[j] = gtCat[src]! * I + gtImg[src]!;
  }

  // Detections of evaluated images and categories, in input order.
  const dtImg = new Int32Array(dets.length), dtCat = new Int32Array(dets.length);
  const keptIdx = new Int32Array(dets.length);
  let kept = 0;
  for (let d = 0; d < dets.length; d += 1) {
    const i = imgIndex(dets.imageIds[d]!), k = catIndex(dets.categoryIds[d]!);
    if (i < 0 || k < 0) continue;
    dtImg[d] = i;
    dtCat[d] = k;
    keptIdx[kept++] = d;
  }
  // One stable sort by descending score of the list ordered by (image index, input order) gives pycocotools'
  // accumulation order; regrouping it stably by (category, image) gives each pair's evaluation order.
  const byScore = sortByScoreDesc(countingSortBy(keptIdx.subarray(0, kept), dtImg, I), dets.scores);
  const evalOrder = groupOrder(byScore, dtImg, dtCat, I, K);

  // Rank within each (image, category); detections past the largest maxDet take no part at all.
  const rank = new Int32Array(dets.length);
  const evalKept = new Int32Array(evalOrder.length);
  let D = 0;
  for (let j = 0, prevKey = -1, r = 0; j < evalOrder.length; j += 1) {
    const d = evalOrder[j]!;
    const key = dtCat[d]! * I + dtImg[d]!;
    r = key === prevKey ? r + 1 : 0;
    prevKey = key;
    rank[d] = r;
    if (r < maxDetMax) evalKept[D++] = d;
  }
  const accKept = new Int32Array(D);
  for (let j = 0, n = 0; j < byScore.length; j += 1) if (rank[byScore[j]!]! < maxDetMax) accKept[n++] = byScore[j]!;
  const accOrder = countingSortBy(accKept, dtCat, K);
  const catAccStart = bucketStarts(accOrder, dtCat, K);
  const accPosOf = new Int32Array(dets.length);
  const accRank = new Int32Array(accOrder.length);
  for (let pos = 0; pos < accOrder.length; pos += 1) {
    const d = accOrder[pos]!;
    accPosOf[d] = pos;
    accRank[pos] = rank[d]!;
  }

  const dtBoxes = new Float64Array(4 * D), dtAreas = new Float64Array(D), dtAccPos = new Int32Array(D);
  const dtKey = new Float64Array(D);
  for (let j = 0; j < D; j += 1) {
    const d = evalKept[j]!;
    for (let c = 0; c < 4; c += 1) dtBoxes[4 * j + c] = dets.boxes[4 * d + c]!;
    dtAreas[j] = dets.boxes[4 * d + 2]! * dets.boxes[4 * d + 3]!;
    dtAccPos[j] = accPosOf[d]!;
    dtKey[j] = dtCat[d]! * I + dtImg[d]!;
  }

  const pairs = mergePairs(gtKey, dtKey, I);
  return { imgIds, catIds, ...pairs, gtBoxes, gtAreas, gtCrowd, gtIds, dtBoxes, dtAreas, dtAccPos, catAccStart, accRank };
}

/** The pairs present in either sorted key list (key = k × I + i), with their start offsets in both lists. */
function mergePairs(gtKey: Float64Array, dtKey: Float64Array, I: number) {
  const most = gtKey.length + dtKey.length;
  const pairCat = new Int32Array(most), pairGtStart = new Int32Array(most + 1), pairDtStart = new Int32Array(most + 1);
  let g = 0, d = 0, p = 0;
  while (g < gtKey.length || d < dtKey.length) {
    const key = Math.min(g < gtKey.length ? gtKey[g]! : Infinity, d < dtKey.length ? dtKey[d]! : Infinity);
    pairCat[p] = Math.floor(key / I);
    pairGtStart[p] = g;
    pairDtStart[p] = d;
    p += 1;
    while (g < gtKey.length && gtKey[g] === key) g += 1;
    while (d < dtKey.length && dtKey[d] === key) d += 1;
  }
  pairGtStart[p] = g;
  pairDtStart[p] = d;
  return { pairCount: p, pairCat: pairCat.subarray(0, p), pairGtStart: pairGtStart.subarray(0, p + 1), pairDtStart: pairDtStart.subarray(0, p + 1) };
}

/** `order` regrouped by (category, image), keeping its relative order inside each group: two stable counting sorts. */
function groupOrder(order: Int32Array, img: Int32Array, cat: Int32Array, I: number, K: number): Int32Array {
  return countingSortBy(countingSortBy(order, img, I), cat, K);
}

/** Stable counting sort of the indices in `order` by `bucket[index]` in [0, buckets). */
function countingSortBy(order: Int32Array, bucket: Int32Array, buckets: number): Int32Array {
  const start = new Int32Array(buckets + 1);
  for (const i of order) start[bucket[i]! + 1] += 1;
  for (let b = 0; b < buckets; b += 1) start[b + 1] += start[b]!;
  const out = new Int32Array(order.length);
  for (const i of order) out[start[bucket[i]!]!++] = i;
  return out;
}

/** Start offset of each bucket in an array already sorted by bucket, plus the end. */
function bucketStarts(sorted: Int32Array, bucket: Int32Array, buckets: number): Int32Array {
  const start = new Int32Array(buckets + 1);
  for (const i of sorted) start[bucket[i]! + 1] += 1;
  for (let b = 0; b < buckets; b += 1) start[b + 1] += start[b]!;
  return start;
}

/**
 * Index of each id in `ids` (sorted, unique), -1 for others. Small integer ids (COCO's) use a lookup table,
 * ~10× faster than a Map for the million lookups of a validation set; anything else uses a Map.
 */
function idIndex(ids: readonly number[]): (id: number) => number {
  const lo = ids[0] ?? 0, hi = ids[ids.length - 1] ?? 0;
  if (ids.every(Number.isInteger) && hi - lo < 1 << 24) {
    const table = new Int32Array(hi - lo + 1).fill(-1);
    ids.forEach((id, i) => (table[id - lo] = i));
    return (id) => (id >= lo && id <= hi && Number.isInteger(id) ? table[id - lo]! : -1);
  }
  const map = new Map(ids.map((id, i) => [id, i]));
  return (id) => map.get(id) ?? -1;
}

/** Ascending unique ids, as `np.unique` returns them. */
function uniqueSorted(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}
