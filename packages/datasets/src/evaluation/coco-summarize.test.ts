import { describe, expect, it } from 'vitest';
import type { CocoAccumulation } from './coco-accumulate.js';
import { cocoEvalParams } from './coco-params.js';
import { summarizeDets, summarizeSlice } from './coco-summarize.js';

// Two IoU thresholds, two recall points, two categories (the second without ground truth), one area range.
const params = cocoEvalParams({ iouThrs: [0.5, 0.75], recThrs: [0, 1], areaRng: [[0, 1e10]], areaRngLbl: ['all'], maxDets: [1, 10, 100] });
const acc: CocoAccumulation = {
  shape: [2, 2, 2, 1, 3],
  // [t][r][k][a=0][m]: category 0 has precision 1 then 0.5 at t = 0.5, 0.5 then 0 at t = 0.75; category 1 is -1.
  precision: Float64Array.from([1, 1, 1, -1, -1, -1, 0.5, 0.5, 0.5, -1, -1, -1, 0.5, 0.5, 0.5, -1, -1, -1, 0, 0, 0, -1, -1, -1]),
  recall: Float64Array.from([0.5, 1, 1, -1, -1, -1, 0.25, 0.5, 0.5, -1, -1, -1]),
};

describe('summarizeSlice', () => {
  it('averages the entries above -1, leaving categories without ground truth out', () => {
    expect(summarizeSlice(acc, params, { ap: true, areaRng: 'all', maxDets: 100 })).toBe(0.5);
    expect(summarizeSlice(acc, params, { ap: true, iouThr: 0.5, areaRng: 'all', maxDets: 100 })).toBe(0.75);
    expect(summarizeSlice(acc, params, { ap: false, areaRng: 'all', maxDets: 1 })).toBe(0.375);
  });

  it('gives -1 when nothing is left: a category without ground truth, an absent threshold or area label', () => {
    expect(summarizeSlice(acc, params, { ap: true, areaRng: 'all', maxDets: 100, catIndices: [1] })).toBe(-1);
    expect(summarizeSlice(acc, params, { ap: true, iouThr: 0.9, areaRng: 'all', maxDets: 100 })).toBe(-1);
    expect(summarizeSlice(acc, params, { ap: true, areaRng: 'small', maxDets: 100 })).toBe(-1);
  });
});

describe('summarizeDets', () => {
  it('gives the 12 numbers in pycocotools order with its printed lines', () => {
    const { stats, lines } = summarizeDets(acc, params);
    expect(stats).toEqual([0.5, 0.75, 0.25, -1, -1, -1, 0.375, 0.75, 0.75, -1, -1, -1]);
    expect(lines[1]).toBe(' Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.750');
    expect(lines[3]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.75 | area= small | maxDets=100 ] = -1.000');
  });
});
