import { describe, expect, it } from 'vitest';
import { detectionsFromResults } from './coco-detections.js';
import { cocoEvalParams, normalizeParams } from './coco-params.js';
import { prepareCocoEval } from './coco-prepare.js';
import type { CocoJson } from './coco-types.js';

const gt: CocoJson = {
  images: [{ id: 30 }, { id: 10 }, { id: 20 }],
  annotations: [
    { id: 1, image_id: 20, category_id: 2, bbox: [0, 0, 1, 1] },
    { id: 2, image_id: 10, category_id: 2, bbox: [0, 0, 2, 2] },
    { id: 3, image_id: 20, category_id: 2, bbox: [0, 0, 3, 3] },
    { id: 4, image_id: 99, category_id: 2, bbox: [0, 0, 4, 4] }, // image not evaluated
  ],
  categories: [{ id: 2, name: 'b' }, { id: 1, name: 'a' }],
};
// Detections listed out of image order, with score ties; the `bbox` x records the input position.
const dets = detectionsFromResults([
  { image_id: 20, category_id: 2, bbox: [0, 0, 1, 1], score: 0.5 },
  { image_id: 10, category_id: 2, bbox: [1, 0, 1, 1], score: 0.5 },
  { image_id: 20, category_id: 2, bbox: [2, 0, 1, 1], score: 0.9 },
  { image_id: 20, category_id: 1, bbox: [3, 0, 1, 1], score: 0.1 },
  { image_id: 20, category_id: 2, bbox: [4, 0, 1, 1], score: 0.5 },
  { image_id: 20, category_id: 7, bbox: [5, 0, 1, 1], score: 0.8 }, // category not evaluated
]);

describe('prepareCocoEval', () => {
  const prep = prepareCocoEval(gt, dets, normalizeParams(cocoEvalParams({ maxDets: [1, 2, 2] })));
  const inputPos = (j: number) => prep.dtBoxes[4 * j];

  it('sorts ids and groups pairs by (category, image), ground truth in list order', () => {
    expect([prep.imgIds, prep.catIds]).toEqual([[10, 20, 30], [1, 2]]);
    expect([...prep.pairCat]).toEqual([0, 1, 1]); // (cat 1, img 20), (cat 2, img 10), (cat 2, img 20)
    expect([...prep.pairGtStart]).toEqual([0, 0, 1, 3]);
    expect([...prep.gtIds]).toEqual([2, 1, 3]);
  });

  it("orders each pair's detections by score, ties by input order, and keeps maxDets[-1] of them", () => {
    expect([...prep.pairDtStart]).toEqual([0, 1, 2, 4]);
    // image 20, category 2: scores 0.9 (input 2), 0.5 (input 0), 0.5 (input 4, cut: maxDets[-1] = 2)
    expect([0, 1, 2, 3].map(inputPos)).toEqual([3, 1, 2, 0]);
  });

  it('orders accumulation by score, ties by image id before input order', () => {
    // Category 2: 0.9 (img 20), then the 0.5 tie: image 10 (input 1) before image 20 (input 0).
    const cat2 = [...prep.accRank.subarray(prep.catAccStart[1], prep.catAccStart[2])];
    expect(cat2).toEqual([0, 0, 1]);
    const byPos = [0, 1, 2, 3].sort((a, b) => prep.dtAccPos[a]! - prep.dtAccPos[b]!).map(inputPos);
    expect(byPos).toEqual([3, 2, 1, 0]);
  });
});
