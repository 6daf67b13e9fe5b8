/**
 * Hand-built cases whose numbers follow from pycocotools' algorithm on paper. Boxes of true positives copy
 * their ground truth (IoU exactly 1) and false positives lie far from everything (IoU 0), so every IoU
 * threshold gives the same precision curve unless a test says otherwise.
 *
 * Reminder of the recipe (per category, area range, maxDets, IoU threshold): walk detections by descending
 * score; rc = tp / npig, pr = tp / (tp + fp); make pr monotone from the right; sample it at the 101 recall
 * thresholds r = 0, 0.01, …, 1 at the first detection with rc >= r (0 when rc never reaches r); AP = mean.
 * pycocotools divides by tp + fp + 2.2e-16 (np.spacing(1)), so a perfect precision is 0.9999999999999998:
 * numbers are compared to 12 decimals, which the 3-decimal metric never sees.
 */
import { describe, expect, it } from 'vitest';
import { detectionsFromResults } from './coco-detections.js';
import { CocoEvaluator } from './coco-evaluator.js';
import type { CocoEvalParams } from './coco-params.js';
import type { CocoAnnotation, CocoDetectionResult, CocoJson } from './coco-types.js';

const [AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl] = Array.from({ length: 12 }, (_, i) => i);

let nextId = 1;
function ann(image_id: number, category_id: number, bbox: number[], extra: Partial<CocoAnnotation> = {}): CocoAnnotation {
  return { id: nextId++, image_id, category_id, bbox, area: bbox[2]! * bbox[3]!, iscrowd: 0, ...extra };
}
function det(image_id: number, category_id: number, bbox: readonly number[], score: number): CocoDetectionResult {
  return { image_id, category_id, bbox, score };
}
function coco(annotations: CocoAnnotation[], imageIds = [1], catIds = [1]): CocoJson {
  return { images: imageIds.map((id) => ({ id })), annotations, categories: catIds.map((id) => ({ id, name: `c${id}` })) };
}
function evaluate(gt: CocoJson, dets: CocoDetectionResult[], params: Partial<CocoEvalParams> = {}): { stats: number[]; evaluator: CocoEvaluator } {
  const evaluator = new CocoEvaluator(gt, detectionsFromResults(dets), params);
  return { stats: evaluator.summarize(), evaluator };
}
/** Element-wise equal to 12 decimals. */
function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v, `entry ${i}`).toBeCloseTo(expected[i]!, 12));
}
const far = (i: number) => [1000 + 20 * i, 1000, 10, 10]; // a false positive, overlapping nothing

/**
 * 4 objects; detections by score: TP, FP, TP, FP; one object never found.
 * rc = [.25, .25, .5, .5], pr = [1, 1/2, 2/3, 1/2] → monotone [1, 2/3, 2/3, 1/2].
 * r = 0 … 0.25 (26 thresholds) → 1; r = 0.26 … 0.50 (25) → 2/3; r ≥ 0.51 (50) → 0.
 * AP = (26 + 25 · 2/3) / 101 = 128/303 ≈ 0.4224.
 */
function twoMissesCase(image = 1, cat = 1) {
  const objects = [[0, 0, 40, 40], [100, 0, 40, 40], [200, 0, 40, 40], [300, 0, 40, 40]];
  const anns = objects.map((b) => ann(image, cat, b));
  const dets = [det(image, cat, objects[0]!, 0.9), det(image, cat, far(0), 0.8), det(image, cat, objects[1]!, 0.7), det(image, cat, far(1), 0.6)];
  return { anns, dets };
}

describe('CocoEvaluator', () => {
  it('gives 1 for perfect detections, and AR@1 counts one detection per image and category', () => {
    const gt = coco(
      [ann(1, 1, [10, 10, 20, 20]), ann(1, 1, [100, 100, 50, 50]), ann(1, 2, [0, 200, 120, 100]), ann(2, 1, [5, 5, 40, 40])],
      [1, 2], [1, 2],
    );
    const dets = gt.annotations!.map((a, i) => det(a.image_id, a.category_id, a.bbox, 0.9 - i / 10));
    const { stats, evaluator } = evaluate(gt, dets);
    // Category 1 has two objects in image 1, so its top-1 detection there finds 2 of its 3 objects: AR@1 = (2/3 + 1) / 2.
    expectClose(stats, [1, 1, 1, 1, 1, 1, 5 / 6, 1, 1, 1, 1, 1]);
    expect(evaluator.summaryLines[0]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000');
    expect(evaluator.summaryLines[9]).toBe(' Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 1.000');
  });

  it('gives N/(N+1) when one false positive is ranked above N true positives', () => {
    // N = 4: rc = [0, .25, .5, .75, 1], pr = [0, 1/2, 2/3, 3/4, 4/5] → monotone: 4/5 everywhere, at all 101 points.
    const objects = [[0, 0, 40, 40], [100, 0, 40, 40], [200, 0, 40, 40], [300, 0, 40, 40]];
    const dets = [det(1, 1, far(0), 0.99), ...objects.map((b, i) => det(1, 1, b, 0.9 - i / 10))];
    const { stats } = evaluate(coco(objects.map((b) => ann(1, 1, b))), dets);
    expect(stats[AP]).toBeCloseTo(0.8, 14);
    expect(stats[AR100]).toBe(1);
  });

  it('samples the monotone precision at 101 recall points (AP = 128/303 for TP, FP, TP, FP of 4 objects)', () => {
    const { anns, dets } = twoMissesCase();
    const { stats, evaluator } = evaluate(coco(anns), dets);
    expect(stats[AP]).toBeCloseTo(128 / 303, 14);
    expect(stats[AP50]).toBeCloseTo(128 / 303, 14);
    expect(stats[AR100]).toBe(0.5);
    const { precision, shape: [, R, K, A, M] } = evaluator.eval!;
    const at = (r: number) => precision[((r * K) * A) * M + (M - 1)]; // t = 0, k = 0, area all, maxDets 100
    expectClose([at(0), at(25), at(26), at(50), at(51), at(100)].map(Number), [1, 1, 2 / 3, 2 / 3, 0, 0]);
    expect(R).toBe(101);
  });

  it('ignores detections on a crowd region instead of counting them as false positives', () => {
    // Crowd IoU is intersection / detection area, so both boxes inside the region match it (IoU 1); a crowd
    // region can absorb any number of detections, and is not an object to find.
    const object = [10, 10, 30, 30];
    const region = [100, 100, 200, 200];
    const dets = [det(1, 1, [120, 120, 20, 20], 0.99), det(1, 1, [150, 150, 30, 30], 0.95), det(1, 1, object, 0.5)];
    const crowd = evaluate(coco([ann(1, 1, object), ann(1, 1, region, { iscrowd: 1 })]), dets).stats;
    expectClose([crowd[AP]!, crowd[AR100]!], [1, 1]);
    // The same region as an ordinary object: the two boxes are false positives ranked first, and the region a
    // missed object. rc = [0, 0, .5], pr = [0, 0, 1/3] → 1/3 at r = 0 … 0.5 (51 points): AP = 17/101.
    const plain = evaluate(coco([ann(1, 1, object), ann(1, 1, region)]), dets).stats;
    expect(plain[AP]).toBeCloseTo(17 / 101, 14);
  });

  it('leaves categories without ground truth out of the mean (-1), and gives -1 when nothing has any', () => {
    const { anns, dets } = twoMissesCase(1, 2);
    const perfect = ann(1, 1, [0, 100, 50, 50]);
    const gt = coco([perfect, ...anns], [1], [1, 2, 3]);
    const all = [...dets, det(1, 1, perfect.bbox, 0.9), det(1, 3, far(5), 0.95)]; // category 3: a false positive only
    const { stats, evaluator } = evaluate(gt, all);
    expect(stats[AP]).toBeCloseTo((1 + 128 / 303) / 2, 14);
    const { precision, shape: [T, R, K, A, M] } = evaluator.eval!;
    const k3 = Array.from({ length: T * R }, (_, i) => precision[(i * K + 2) * A * M]);
    expect(new Set(k3)).toEqual(new Set([-1]));
    expect(evaluate(coco([], [1], [1]), [det(1, 1, far(0), 0.5)]).stats).toEqual(Array(12).fill(-1));
  });

  it('assigns small/medium/large by the annotation area field, not by the box', () => {
    // G1 is a 100×100 box whose `area` is 900 (a thin object in its box): small. G2 is medium, G3 large.
    const g1 = ann(1, 1, [0, 0, 100, 100], { area: 900 });
    const g2 = ann(1, 1, [200, 0, 50, 50]);
    const g3 = ann(1, 1, [300, 0, 120, 120]);
    const dets = [det(1, 1, [500, 500, 10, 10], 0.99), det(1, 1, g1.bbox, 0.9), det(1, 1, g2.bbox, 0.8)];
    const { stats } = evaluate(coco([g1, g2, g3]), dets);
    // all:    FP, TP, TP of 3: rc = [0, 1/3, 2/3], pr monotone 2/3 → 2/3 at r = 0 … 0.66 (67 points): 134/303.
    // small:  FP (area 100 is small), TP (G1), ignored (matched G2, ignored here): pr = [0, 1/2] → 1/2 throughout.
    // medium: FP outside the range → ignored; D1 matches G1, ignored here → ignored; D2 → TP: AP 1.
    // large:  nothing matches G3; the rest is ignored → precision 0, recall 0.
    expect(stats[AP]).toBeCloseTo(134 / 303, 14);
    expectClose([stats[APs]!, stats[APm]!, stats[APl]!], [0.5, 1, 0]);
    // AR@1 keeps only the top detection, the false positive.
    expectClose([AR1, AR10, AR100, ARs, ARm, ARl].map((i) => stats[i]!), [0, 2 / 3, 2 / 3, 1, 1, 0]);
  });

  it('keeps at most maxDets detections per image and category', () => {
    const objects = [[0, 0, 40, 40], [100, 0, 40, 40], [200, 0, 40, 40]];
    const dets = objects.map((b, i) => det(1, 1, b, 0.9 - i / 10));
    const { stats } = evaluate(coco(objects.map((b) => ann(1, 1, b))), dets, { maxDets: [1, 2, 100] });
    expectClose([AR1, AR10, AR100, AP].map((i) => stats[i]!), [1 / 3, 2 / 3, 1, 1]);
    // mmdet's proposal_nums [100, 300, 1000]: AP at 1000 detections, AR@100/300/1000.
    const mmdet = evaluate(coco(objects.map((b) => ann(1, 1, b))), dets, { maxDets: [100, 300, 1000] }).stats;
    expectClose([AP, AR1, AR10, AR100].map((i) => mmdet[i]!), [1, 1, 1, 1]);
  });

  it('breaks score ties by input order within an image', () => {
    // FP first: rc = [0, 1], pr = [0, 1/2] → AP 1/2. TP first: rc = [1, 1], pr = [1, 1/2] → AP 1.
    const object = ann(1, 1, [0, 0, 40, 40]);
    expect(evaluate(coco([object]), [det(1, 1, far(0), 0.5), det(1, 1, object.bbox, 0.5)]).stats[AP]).toBe(0.5);
    expect(evaluate(coco([object]), [det(1, 1, object.bbox, 0.5), det(1, 1, far(0), 0.5)]).stats[AP]).toBeCloseTo(1, 12);
  });

  it('breaks score ties across images by image id, whatever the input order (pycocotools concatenates by image)', () => {
    const object = ann(2, 1, [0, 0, 40, 40]);
    const fpOnImage1 = det(1, 1, far(0), 0.5);
    const tpOnImage2 = det(2, 1, object.bbox, 0.5);
    expect(evaluate(coco([object], [1, 2]), [tpOnImage2, fpOnImage1]).stats[AP]).toBe(0.5);
    expect(evaluate(coco([object], [1, 2]), [fpOnImage1, tpOnImage2]).stats[AP]).toBe(0.5);
  });

  it('matches at IoU >= threshold: IoU exactly 0.5 counts at 0.50 only', () => {
    // 10×5 inside 10×10: IoU = 50 / (50 + 100 − 50) = 0.5 exactly. AP = (1 + 9 × 0) / 10.
    const { stats } = evaluate(coco([ann(1, 1, [0, 0, 10, 10])]), [det(1, 1, [0, 0, 10, 5], 0.9)]);
    expectClose([AP, AP50, AP75, AR100].map((i) => stats[i]!), [0.1, 1, 0, 0.1]);
  });

  it('counts a match to an annotation with id 0 as a false positive, as pycocotools does', () => {
    const object = ann(1, 1, [0, 0, 40, 40], { id: 0 });
    expect(evaluate(coco([object]), [det(1, 1, object.bbox, 0.9)]).stats[AP]).toBe(0);
  });

  it('uses w × h for ground truth without an area field, and evaluates no detections to 0', () => {
    const { area: _area, ...noArea } = ann(1, 1, [0, 0, 20, 20]);
    const { stats } = evaluate(coco([noArea]), [det(1, 1, noArea.bbox, 0.9)]);
    expectClose([stats[APs]!, stats[APm]!], [1, -1]);
    expect(evaluate(coco([noArea]), []).stats.slice(0, 9)).toEqual([0, 0, 0, 0, -1, -1, 0, 0, 0]);
  });

  it('evaluates only the images and categories asked for', () => {
    const { anns, dets } = twoMissesCase(2, 1);
    const gt = coco([ann(1, 1, [0, 0, 40, 40]), ...anns], [1, 2]);
    expect(evaluate(gt, [...dets, det(1, 1, [0, 0, 40, 40], 0.9)], { imgIds: [1] }).stats[AP]).toBeCloseTo(1, 12);
    expect(evaluate(gt, dets, { catIds: [7] }).stats[AP]).toBe(-1);
  });

  it('rejects parameters it cannot use, naming them', () => {
    expect(() => new CocoEvaluator(coco([]), detectionsFromResults([]), { iouThrs: [0.5, 1.5] })).toThrow(
      'CocoEvaluator params.iouThrs: expected one or more values in (0, 1], got [0.5, 1.5]',
    );
    const evaluator = new CocoEvaluator(coco([]), detectionsFromResults([]), { maxDets: [1, 10] });
    expect(() => evaluator.summarize()).toThrow('expected at least 3 maxDets (pycocotools reads maxDets[0..2]), got [1, 10]');
  });
});
