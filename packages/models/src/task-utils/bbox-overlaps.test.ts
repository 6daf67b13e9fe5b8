import { ConfigValidationError, TASK_UTILS } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import { BboxOverlaps2D, bboxOverlaps } from './bbox-overlaps.js';

const boxes = (...rows: number[][]) => new Float32Array(rows.flat());
const A = [0, 0, 10, 10]; // area 100
const B = [5, 0, 15, 10]; // right half of A shifted: overlap 5×10 = 50, union 150
const C = [20, 20, 30, 30]; // disjoint from A; the box enclosing both is [0, 0, 30, 30], area 900
const Z = [5, 5, 5, 5]; // zero area

describe('bboxOverlaps', () => {
  it('gives IoU = overlap / union for every pair, row-major [n, m]', () => {
    const iou = bboxOverlaps(boxes(A, B), boxes(A, B, C));
    expect(Array.from(iou)).toEqual([1, 50 / 150, 0, 50 / 150, 1, 0].map(Math.fround));
  });

  it('gives IoF = overlap / area of the first box', () => {
    expect(bboxOverlaps(boxes(A), boxes(B), { mode: 'iof' })[0]).toBeCloseTo(50 / 100, 7);
    // B on a box twice its size: all of B is covered, so IoF = 1 while IoU = 0.5.
    expect(bboxOverlaps(boxes(B), boxes([0, 0, 20, 10]), { mode: 'iof' })[0]).toBeCloseTo(1, 7);
  });

  it('gives GIoU = IoU − (enclosing − union) / enclosing, negative for disjoint boxes', () => {
    const giou = bboxOverlaps(boxes(A, A), boxes(B, C), { mode: 'giou', is_aligned: true });
    // A, B: enclosing [0, 0, 15, 10] = 150 = union, so GIoU = IoU = 1/3.
    expect(giou[0]).toBeCloseTo(1 / 3, 6);
    // A, C: IoU 0, union 200, enclosing 900 → −700/900.
    expect(giou[1]).toBeCloseTo(-7 / 9, 6);
  });

  it('pairs box i with box i when is_aligned', () => {
    expect(Array.from(bboxOverlaps(boxes(A, A), boxes(B, C), { is_aligned: true }))).toEqual([Math.fround(1 / 3), 0]);
  });

  it('uses widths x2 − x1 without mmdet v1 "+ 1"', () => {
    // Touching boxes share an edge, not a pixel column: IoU 0.
    expect(bboxOverlaps(boxes([0, 0, 10, 10]), boxes([10, 0, 20, 10]))[0]).toBe(0);
  });

  it('returns 0, not NaN, for zero-area boxes in every mode (union and enclosing area floored at eps)', () => {
    for (const mode of ['iou', 'iof', 'giou'] as const) {
      const values = Array.from(bboxOverlaps(boxes(Z, Z), boxes(Z, A), { mode }));
      expect(values, mode).toEqual([0, 0, 0, 0]);
    }
  });

  it('returns empty results for empty inputs', () => {
    expect(bboxOverlaps(boxes(), boxes(A, B)).length).toBe(0);
    expect(bboxOverlaps(boxes(A), boxes(), { is_aligned: false }).length).toBe(0);
  });

  it('rejects arrays that are not 4 values per box and unequal aligned sets, giving the counts', () => {
    expect(() => bboxOverlaps(new Float32Array(6), boxes(A))).toThrow('bboxes1 must hold 4 values (x1, y1, x2, y2) per box, got 6 values');
    expect(() => bboxOverlaps(boxes(A, B), boxes(A), { is_aligned: true })).toThrow('got 2 and 1');
  });
});

describe('BboxOverlaps2D', () => {
  it('is built from TASK_UTILS and computes the same overlaps', () => {
    const calculator = TASK_UTILS.build<BboxOverlaps2D>({ type: 'BboxOverlaps2D' });
    expect(calculator).toBeInstanceOf(BboxOverlaps2D);
    expect(calculator.overlaps(boxes(A), boxes(C), 'giou')[0]).toBeCloseTo(-7 / 9, 6);
  });

  it("rejects mmdet's fp16 options, naming the key", () => {
    const build = () => TASK_UTILS.build({ type: 'BboxOverlaps2D', scale: 512 }, { path: 'iou_calculator' });
    expect(build).toThrow(ConfigValidationError);
    expect(build).toThrow(/iou_calculator\.scale: unknown key/);
  });
});
