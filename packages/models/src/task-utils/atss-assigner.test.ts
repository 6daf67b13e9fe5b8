import { readFileSync } from 'node:fs';
import { ConfigValidationError, TASK_UTILS } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import { AnchorGenerator } from './anchor-generator.js';
import { ATSS_INF, ATSSAssigner, type AssignResult } from './atss-assigner.js';

const boxes = (...rows: number[][]) => new Float32Array(rows.flat());
/** Indices of the priors with gtInds ≠ 0, with their gtInds, labels and maxOverlaps. */
const assigned = (r: AssignResult) =>
  [...r.gtInds.keys()].filter((i) => r.gtInds[i] !== 0).map((i) => ({ prior: i, gt: r.gtInds[i], label: r.labels[i], iou: r.maxOverlaps[i] }));

/** A scene of __fixtures__/atss-reference.json, assigned by a numpy port of mmdet (atss_reference.py). */
interface ReferenceScene {
  image: [number, number];
  topk: number;
  ignore_iof_thr: number;
  gt_bboxes: number[][];
  gt_labels: number[];
  gt_bboxes_ignore: number[][] | null;
  /** [prior, gt_ind, max_overlap (null unless positive)] for every prior with gt_ind ≠ 0. */
  assigned: Array<[number, number, number | null]>;
}

describe('ATSSAssigner', () => {
  it('picks, per GT, the candidates with IoU ≥ mean + std whose centre is inside (a hand-made two-level scene)', () => {
    // Level 0: stride 8, 16×16 anchors centred on (8x, 8y), 6×6 grid, priors 0..35 (index 6y + x).
    // Level 1: stride 16, 32×32 anchors centred on (16x, 16y), 3×3 grid, priors 36..44 (index 36 + 3y + x).
    const generator = new AnchorGenerator({ strides: [8, 16], ratios: [1], octave_base_scale: 2, scales_per_octave: 1 });
    const levels = generator.gridPriors([[6, 6], [3, 3]]);
    const priors = new Float32Array([...levels[0]!, ...levels[1]!]);
    const gtBboxes = boxes(
      [6, 4, 22, 18], // GT 0: 16×14, centre (14, 11)
      [20, 14, 44, 40], // GT 1: 24×26, centre (32, 27)
    );
    const assigner = new ATSSAssigner({ topk: 3 });
    const result = assigner.assign({ priors, numLevelPriors: [36, 9], gtBboxes, gtLabels: new Int32Array([3, 7]) });

    // GT 0. Nearest centres on level 0: (16, 8) d² 13 → prior 8, IoU 168/312 = 0.538; (16, 16) d² 29 → prior 14,
    // 140/340 = 0.412; (8, 8) d² 45 → prior 7, 120/360 = 0.333. On level 1: (16, 16) d² 29 → prior 40, 224/1024 =
    // 0.219; (16, 0) d² 125 → prior 37, 192/1056 = 0.182; (0, 16) d² 221 → prior 39, 140/1108 = 0.126.
    // mean 0.302 + std 0.156 = threshold 0.457: only prior 8 passes, and its centre (16, 8) is inside GT 0.
    // GT 1. Level 0: (32, 24) → prior 22, IoU 0.410; (32, 32) → prior 28, 0.410; (24, 24) and (40, 24) tie at
    // d² 73 with equal IoU 0.279 (the lower index, 21, is taken). Level 1: (32, 32) → prior 44, 0.537; (32, 16) →
    // prior 41, 0.355; (16, 32) → prior 43, 0.212. mean 0.367 + std 0.114 = threshold 0.481: only prior 44, the
    // larger anchor, passes; its centre (32, 32) is inside GT 1. ATSS picked each GT's level by IoU statistics.
    expect(assigned(result)).toEqual([
      { prior: 8, gt: 1, label: 3, iou: Math.fround(168 / 312) },
      { prior: 44, gt: 2, label: 7, iou: Math.fround(720 / 1340) },
    ]);
    expect(result.numGts).toBe(2);
    // Everything else is background, with mmdet's -INF max overlap.
    expect(result.maxOverlaps.filter((v) => v === -ATSS_INF).length).toBe(43);
    expect(result.labels.filter((v) => v === -1).length).toBe(43);
  });

  it('gives a prior positive for two GTs to the one with the higher IoU', () => {
    // Level 0: prior 0 at (5, 5) and two far priors; level 1: two far priors. topk 2 takes prior 0 and prior 1
    // on level 0 and both level-1 priors, so each GT has four candidates with IoUs [x, 0, 0, 0]:
    // threshold = x/4 + x/2 = 0.75x ≤ x, so prior 0 is positive for both GTs.
    const priors = boxes([0, 0, 10, 10], [100, 100, 110, 110], [200, 200, 210, 210], [300, 300, 320, 320], [400, 400, 420, 420]);
    // GT 0 covers 8×8 of prior 0 (IoU 0.64); GT 1 is prior 0 itself (IoU 1), so GT 1 wins although listed second.
    const gtBboxes = boxes([2, 2, 10, 10], [0, 0, 10, 10]);
    const result = new ATSSAssigner({ topk: 2 }).assign({ priors, numLevelPriors: [3, 2], gtBboxes, gtLabels: new Int32Array([5, 9]) });
    expect(assigned(result)).toEqual([{ prior: 0, gt: 2, label: 9, iou: 1 }]);
  });

  it('rejects a candidate above the threshold whose centre is outside the GT (or on its edge)', () => {
    // GT [6, 0, 12.5, 10] lies between prior 0 (centre (5, 5)) and prior 1 (centre (13, 5)); IoUs 0.32 and 0.375
    // with four zero-IoU candidates give threshold 0.116 + 0.180 = 0.296: both pass on IoU, neither centre is inside.
    const priors = boxes([0, 0, 10, 10], [8, 0, 18, 10], [40, 40, 50, 50], [100, 100, 120, 120], [200, 200, 220, 220], [300, 300, 320, 320]);
    const input = { priors, numLevelPriors: [3, 3], gtLabels: new Int32Array([0]) };
    const assigner = new ATSSAssigner({ topk: 3 });
    expect(assigned(assigner.assign({ ...input, gtBboxes: boxes([6, 0, 12.5, 10]) }))).toEqual([]);
    // With x2 = 13 prior 1's centre sits on the right edge (IoU 0.417 ≥ threshold 0.311): distance 0 is not > 0.01.
    expect(assigned(assigner.assign({ ...input, gtBboxes: boxes([6, 0, 13, 10]) }))).toEqual([]);
    // With x2 = 13.5 it is 0.5 inside: positive (IoU 55/120 = 0.458 ≥ threshold 0.327); prior 0 (0.296) is not.
    expect(assigned(assigner.assign({ ...input, gtBboxes: boxes([6, 0, 13.5, 10]) }))).toEqual([{ prior: 1, gt: 1, label: 0, iou: Math.fround(55 / 120) }]);
  });

  it('takes every prior of a level with fewer priors than topk, and none positive from a single candidate', () => {
    const gtBboxes = boxes([0, 0, 10, 10]);
    const gtLabels = new Int32Array([1]);
    const assigner = new ATSSAssigner({ topk: 9 });
    // Two levels of 2 and 1 priors: 3 candidates, IoUs [1, 0.25, 0]: threshold 0.417 + 0.520 = 0.937, prior 0 wins.
    const priors = boxes([0, 0, 10, 10], [0, 0, 5, 5], [50, 50, 60, 60]);
    expect(assigned(assigner.assign({ priors, numLevelPriors: [2, 1], gtBboxes, gtLabels }))).toEqual([{ prior: 0, gt: 1, label: 1, iou: 1 }]);
    // One prior in all: the unbiased std of one value is NaN (n − 1 = 0), so nothing is positive, as in mmdet.
    expect(assigned(assigner.assign({ priors: boxes([0, 0, 10, 10]), numLevelPriors: [1], gtBboxes, gtLabels }))).toEqual([]);
  });

  it('assigns every prior to the background when there is no GT, with max overlaps 0', () => {
    const priors = boxes([0, 0, 10, 10], [5, 5, 15, 15]);
    const result = new ATSSAssigner({ topk: 9 }).assign({ priors, numLevelPriors: [2], gtBboxes: boxes(), gtLabels: new Int32Array() });
    expect(result).toEqual({ numGts: 0, gtInds: new Int32Array(2), maxOverlaps: new Float32Array(2), labels: new Int32Array([-1, -1]) });
  });

  it('returns empty arrays when there are no priors', () => {
    const result = new ATSSAssigner({ topk: 9 }).assign({ priors: boxes(), numLevelPriors: [0, 0], gtBboxes: boxes([0, 0, 4, 4]), gtLabels: new Int32Array([2]) });
    expect(result).toEqual({ numGts: 1, gtInds: new Int32Array(), maxOverlaps: new Float32Array(), labels: new Int32Array() });
  });

  it('marks priors inside an ignore box (IoF > ignore_iof_thr) as ignored, -1', () => {
    const priors = boxes([0, 0, 10, 10], [100, 100, 110, 110], [102, 102, 108, 108], [300, 300, 320, 320]);
    const assigner = new ATSSAssigner({ topk: 2, ignore_iof_thr: 0.5 });
    const input = { priors, numLevelPriors: [3, 1], gtBboxes: boxes([0, 0, 10, 10]), gtLabels: new Int32Array([4]) };
    const result = assigner.assign({ ...input, gtBboxesIgnore: boxes([98, 98, 112, 112]) });
    expect(Array.from(result.gtInds)).toEqual([1, -1, -1, 0]);
    expect(Array.from(result.labels)).toEqual([4, -1, -1, -1]);
    // ignore_iof_thr -1 (the default) ignores nothing.
    expect(Array.from(new ATSSAssigner({ topk: 2 }).assign({ ...input, gtBboxesIgnore: boxes([98, 98, 112, 112]) }).gtInds)).toEqual([1, 0, 0, 0]);
  });

  it('matches a numpy port of mmdet on 24 random scenes with ATSS anchors (267 assigned priors, 30 ignored)', () => {
    const url = new URL('./__fixtures__/atss-reference.json', import.meta.url);
    const scenes = JSON.parse(readFileSync(url, 'utf8')) as ReferenceScene[];
    const generator = new AnchorGenerator({ strides: [8, 16, 32, 64, 128], ratios: [1], octave_base_scale: 8, scales_per_octave: 1 });
    for (const [i, scene] of scenes.entries()) {
      const [h, w] = scene.image;
      const levels = generator.gridPriors(generator.strides.map(([s]) => [Math.ceil(h / s), Math.ceil(w / s)] as [number, number]));
      const result = new ATSSAssigner({ topk: scene.topk, ignore_iof_thr: scene.ignore_iof_thr }).assign({
        priors: new Float32Array(levels.flatMap((l) => Array.from(l))),
        numLevelPriors: levels.map((l) => l.length / 4),
        gtBboxes: boxes(...scene.gt_bboxes),
        gtLabels: new Int32Array(scene.gt_labels),
        gtBboxesIgnore: scene.gt_bboxes_ignore ? boxes(...scene.gt_bboxes_ignore) : undefined,
      });
      const got = assigned(result).map((a) => [a.prior, a.gt]);
      expect(got, `scene ${i}`).toEqual(scene.assigned.map(([prior, gt]) => [prior, gt]));
      for (const [prior, gt, iou] of scene.assigned) {
        if (gt > 0) expect(result.maxOverlaps[prior], `scene ${i}, prior ${prior}`).toBeCloseTo(iou!, 6);
        if (gt > 0) expect(result.labels[prior]).toBe(scene.gt_labels[gt - 1]);
      }
    }
  });

  it('is built from TASK_UTILS with its IoU calculator', () => {
    const assigner = TASK_UTILS.build<ATSSAssigner>({ type: 'ATSSAssigner', topk: 9 });
    expect(assigner).toBeInstanceOf(ATSSAssigner);
    expect(assigner.options.iou_calculator).toEqual({ type: 'BboxOverlaps2D' });
  });

  it('rejects an unknown iou_calculator and a bad topk with their config paths', () => {
    const build = (extra: object) => () => TASK_UTILS.build({ type: 'ATSSAssigner', topk: 9, ...extra }, { path: 'model.train_cfg.assigner' });
    expect(build({ iou_calculator: { type: 'BboxOverlaps3D' } })).toThrow(ConfigValidationError);
    expect(build({ iou_calculator: { type: 'BboxOverlaps3D' } })).toThrow(/assigner\.iou_calculator\.type: .*BboxOverlaps3D/);
    expect(build({ topk: 0 })).toThrow(/model\.train_cfg\.assigner\.topk: expected/);
  });

  it('rejects priors that do not add up to numLevelPriors, giving both counts', () => {
    const assigner = new ATSSAssigner({ topk: 9 });
    const run = () => assigner.assign({ priors: boxes([0, 0, 1, 1]), numLevelPriors: [2, 1], gtBboxes: boxes(), gtLabels: new Int32Array() });
    expect(run).toThrow('ATSSAssigner.assign: numLevelPriors [2, 1] sum to 3, but priors holds 1');
  });
});
