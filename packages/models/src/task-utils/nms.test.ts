import { describe, expect, it } from 'vitest';
import { batchedNms, nms, nmsCfgSchema } from './nms.js';

const boxes = (...rows: number[][]) => new Float32Array(rows.flat());
const scores = (...values: number[]) => new Float32Array(values);
const kept = (indices: Int32Array) => Array.from(indices);

describe('nms', () => {
  it('keeps boxes by descending score and drops those overlapping a kept one', () => {
    const b = boxes([0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]); // IoU(0, 1) = 81/119 = 0.68
    expect(kept(nms(b, scores(0.8, 0.9, 0.7), 0.5))).toEqual([1, 2]);
  });

  it('lets a suppressed box suppress nothing (greedy order)', () => {
    // IoU(A, B) = IoU(B, C) = 1/3, IoU(A, C) = 0: B goes, so C survives.
    const b = boxes([0, 0, 10, 10], [5, 0, 15, 10], [10, 0, 20, 10]);
    expect(kept(nms(b, scores(0.9, 0.8, 0.7), 0.3))).toEqual([0, 2]);
  });

  it('breaks score ties by the lower index: it comes first and suppresses the other', () => {
    expect(kept(nms(boxes([0, 0, 1, 1], [5, 5, 6, 6], [9, 9, 10, 10]), scores(0.5, 0.5, 0.5), 0.5))).toEqual([0, 1, 2]);
    expect(kept(nms(boxes([0, 0, 10, 10], [0, 0, 10, 10]), scores(0.5, 0.5), 0.5))).toEqual([0]);
    expect(kept(nms(boxes([0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]), scores(0.4, 0.5, 0.5), 0.5))).toEqual([1]);
  });

  it("sorts as torch: NaN scores first, −0 equal to +0", () => {
    const apart = boxes([0, 0, 1, 1], [5, 5, 6, 6], [9, 9, 10, 10], [20, 20, 21, 21]);
    expect(kept(nms(apart, scores(0.5, NaN, 0.9, -Infinity), 0.5))).toEqual([1, 2, 0, 3]);
    expect(kept(nms(apart, scores(0, -0, 0, -0), 0.5))).toEqual([0, 1, 2, 3]);
  });

  it('keeps a box whose IoU equals the threshold (mmcv suppresses only IoU > threshold)', () => {
    // 2 / 4 = 0.5 and 3 / 5 = 0.6 exactly.
    expect(kept(nms(boxes([0, 0, 4, 1], [0, 0, 2, 1]), scores(0.9, 0.8), 0.5))).toEqual([0, 1]);
    expect(kept(nms(boxes([0, 0, 4, 1], [0, 0, 2, 1]), scores(0.9, 0.8), 0.49))).toEqual([0]);
    expect(kept(nms(boxes([0, 0, 5, 1], [0, 0, 3, 1]), scores(0.9, 0.8), 0.6))).toEqual([0, 1]);
  });

  it('never suppresses with zero-area boxes (0/0 is NaN in mmcv, not above the threshold)', () => {
    expect(kept(nms(boxes([3, 3, 3, 3], [3, 3, 3, 3], [0, 0, 10, 10]), scores(0.9, 0.8, 0.7), 0.1))).toEqual([0, 1, 2]);
  });

  it('returns an empty result for no boxes, and at most maxNum indices', () => {
    expect(kept(nms(boxes(), scores(), 0.5))).toEqual([]);
    expect(kept(nms(boxes([0, 0, 1, 1], [2, 2, 3, 3], [4, 4, 5, 5]), scores(0.1, 0.3, 0.2), 0.5, 2))).toEqual([1, 2]);
  });
});

describe('batchedNms', () => {
  const overlapping = boxes([0, 0, 10, 10], [1, 1, 11, 11]); // IoU 0.68

  it('keeps overlapping boxes of different classes, and suppresses within a class', () => {
    const cfg = { type: 'nms', iou_threshold: 0.6 } as const;
    expect(kept(batchedNms(overlapping, scores(0.9, 0.8), new Int32Array([0, 1]), cfg))).toEqual([0, 1]);
    expect(kept(batchedNms(overlapping, scores(0.9, 0.8), new Int32Array([2, 2]), cfg))).toEqual([0]);
    expect(kept(batchedNms(overlapping, scores(0.9, 0.8), new Int32Array([0, 1]), { ...cfg, class_agnostic: true }))).toEqual([0]);
  });

  it('orders the kept boxes of all classes by descending score, and cuts at max_num', () => {
    const b = boxes([0, 0, 10, 10], [1, 1, 11, 11], [0, 0, 10, 10], [50, 50, 60, 60]);
    const labels = new Int32Array([0, 0, 1, 1]);
    expect(kept(batchedNms(b, scores(0.5, 0.9, 0.7, 0.6), labels, { iou_threshold: 0.5 }))).toEqual([1, 2, 3]);
    expect(kept(batchedNms(b, scores(0.5, 0.9, 0.7, 0.6), labels, { iou_threshold: 0.5, max_num: 2 }))).toEqual([1, 2]);
  });

  it('returns an empty result for no boxes', () => {
    expect(kept(batchedNms(boxes(), scores(), new Int32Array(), { iou_threshold: 0.6 }))).toEqual([]);
  });

  it("matches a direct port of mmcv's nms_cpu with batched_nms's coordinate offsets on random boxes", () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let trial = 0; trial < 20; trial += 1) {
      const n = 300;
      const b = new Float32Array(4 * n);
      for (let i = 0; i < n; i += 1) {
        const [x, y, w, h] = [random() * 200, random() * 200, 5 + random() * 60, 5 + random() * 60];
        b.set([x, y, x + w, y + h], 4 * i);
      }
      // Scores from a few levels, so that ties occur.
      const s = Float32Array.from({ length: n }, () => Math.round(random() * 50) / 50);
      const labels = Int32Array.from({ length: n }, () => Math.floor(random() * 4));
      const cfg = { iou_threshold: 0.3 + 0.4 * random() };
      expect(kept(batchedNms(b, s, labels, cfg)), `trial ${trial}`).toEqual(referenceBatchedNms(b, s, labels, cfg.iou_threshold));
    }
  });

  it('rejects labels that do not match the boxes, giving both counts', () => {
    expect(() => batchedNms(overlapping, scores(0.9, 0.8), new Int32Array([0]), { iou_threshold: 0.6 })).toThrow(
      'batchedNms: expected one label per box (2), got 1 labels',
    );
  });

  it('validates a test_cfg.nms node with mmdet defaults', () => {
    expect(nmsCfgSchema.parse({ type: 'nms', iou_threshold: 0.6 })).toEqual({ type: 'nms', iou_threshold: 0.6, max_num: -1, class_agnostic: false });
    expect(nmsCfgSchema.safeParse({ type: 'soft_nms', iou_threshold: 0.6 }).success).toBe(false);
  });
});

/** mmcv `batched_nms`: shift each class by label·(max + 1) in float64, then `nms_cpu` (stable sort, IoU > thr). */
function referenceBatchedNms(boxes: Float32Array, scores: Float32Array, labels: Int32Array, thr: number): number[] {
  const n = scores.length;
  const max = Math.max(...boxes);
  const b = Array.from(boxes, (v, k) => v + labels[Math.floor(k / 4)]! * (max + 1));
  const order = [...Array(n).keys()].sort((i, j) => scores[j]! - scores[i]! || i - j);
  const area = (i: number) => (b[4 * i + 2]! - b[4 * i]!) * (b[4 * i + 3]! - b[4 * i + 1]!);
  const select = new Array<boolean>(n).fill(true);
  for (let a = 0; a < n; a += 1) {
    if (!select[a]) continue;
    const i = order[a]!;
    for (let c = a + 1; c < n; c += 1) {
      const j = order[c]!;
      if (!select[c]) continue;
      const w = Math.max(0, Math.min(b[4 * i + 2]!, b[4 * j + 2]!) - Math.max(b[4 * i]!, b[4 * j]!));
      const h = Math.max(0, Math.min(b[4 * i + 3]!, b[4 * j + 3]!) - Math.max(b[4 * i + 1]!, b[4 * j + 1]!));
      if ((w * h) / (area(i) + area(j) - w * h) > thr) select[c] = false;
    }
  }
  return order.filter((_, a) => select[a]);
}
