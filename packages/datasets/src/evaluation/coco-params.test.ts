import { describe, expect, it } from 'vitest';
import { cocoEvalParams, normalizeParams } from './coco-params.js';

describe('COCO evaluation parameters', () => {
  it("default to pycocotools' detection parameters", () => {
    const p = cocoEvalParams();
    expect([p.iouThrs.length, p.recThrs.length, p.maxDets]).toEqual([10, 101, [1, 10, 100]]);
    expect(p.areaRng).toEqual([[0, 1e10], [0, 1024], [1024, 9216], [9216, 1e10]]);
    expect(p.areaRngLbl).toEqual(['all', 'small', 'medium', 'large']);
  });

  it('sort maxDets as pycocotools does, and copy the arrays', () => {
    const maxDets = [1000, 100, 300];
    const p = normalizeParams(cocoEvalParams({ maxDets }));
    expect(p.maxDets).toEqual([100, 300, 1000]);
    expect(maxDets).toEqual([1000, 100, 300]);
  });

  it('reject values that break the evaluation, naming the parameter', () => {
    expect(() => normalizeParams(cocoEvalParams({ maxDets: [0, 10, 100] }))).toThrow('CocoEvaluator params.maxDets: expected positive integers, got [0, 10, 100]');
    expect(() => normalizeParams(cocoEvalParams({ recThrs: [0.5, 0.2] }))).toThrow('params.recThrs: expected ascending values in [0, 1], got [0.5, 0.2]');
    expect(() => normalizeParams(cocoEvalParams({ areaRngLbl: ['all'] }))).toThrow('expected one label per area range, got 4 ranges and 1 labels');
  });
});
