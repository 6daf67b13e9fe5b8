/**
 * IoU, IoF and GIoU between axis-aligned boxes; mirrors mmdet `BboxOverlaps2D` and `bbox_overlaps`
 * (`mmdet/models/task_modules/assigners/iou2d_calculator.py`, `mmdet/structures/bbox/bbox_overlaps.py`).
 *
 * Boxes are flat `[x1, y1, x2, y2, ...]` Float32Arrays in pixels, with mmdet's continuous convention: a box's
 * width is `x2 − x1`, no `+ 1`. The union (and GIoU's enclosing area) is floored at `eps` so that zero-area
 * boxes give 0 rather than NaN. Assigners call it on plain arrays: nothing here needs a gradient (the GIoU loss
 * does its own tensor maths).
 *
 * Departure from mmdet: the fp16 options `scale` and `dtype` of `BboxOverlaps2D` are not accepted (they only
 * matter for CUDA half precision); values are computed in float64 and stored as float32.
 *
 * @example
 * assigner: { type: 'ATSSAssigner', topk: 9, iou_calculator: { type: 'BboxOverlaps2D' } }
 */
import { DetlabError, TASK_UTILS } from '@detlab/core';
import { z } from 'zod';

/** 'iou': overlap / union; 'iof': overlap / area of the first box (foreground); 'giou': generalised IoU. */
export type OverlapMode = 'iou' | 'iof' | 'giou';

/** mmdet's `eps` for `bbox_overlaps`: the smallest union or enclosing area divided by. */
export const BBOX_OVERLAPS_EPS = 1e-6;

/**
 * Options of `bboxOverlaps` beyond the two box sets.
 *
 * @example
 * bboxOverlaps(anchors, gts, { mode: 'giou', is_aligned: true });
 */
export interface BboxOverlapsOptions {
  mode?: OverlapMode;
  /** Pair box i of the first set with box i of the second (n results) instead of all pairs (n·m results). */
  is_aligned?: boolean;
  eps?: number;
}

/**
 * Overlaps between n boxes `bboxes1` (n·4 values) and m boxes `bboxes2` (m·4 values): an n·m row-major
 * Float32Array (`[i * m + j]` for box i and box j), or n values when `is_aligned` (then n must equal m).
 *
 * @example
 * bboxOverlaps(new Float32Array([0, 0, 10, 10]), new Float32Array([5, 0, 15, 10])); // [1/3]
 */
export function bboxOverlaps(bboxes1: Float32Array, bboxes2: Float32Array, options: BboxOverlapsOptions = {}): Float32Array {
  const { mode = 'iou', is_aligned: isAligned = false, eps = BBOX_OVERLAPS_EPS } = options;
  const rows = boxCount(bboxes1, 'bboxes1');
  const cols = boxCount(bboxes2, 'bboxes2');
  if (isAligned && rows !== cols) {
    throw new DetlabError(`bboxOverlaps: is_aligned needs as many boxes in bboxes2 as in bboxes1, got ${rows} and ${cols}`);
  }
  const out = new Float32Array(isAligned ? rows : rows * cols);
  const pair = (i: number, j: number): number => overlap(bboxes1, i, bboxes2, j, mode, eps);
  if (isAligned) {
    for (let i = 0; i < rows; i += 1) out[i] = pair(i, i);
  } else {
    for (let i = 0; i < rows; i += 1) for (let j = 0; j < cols; j += 1) out[i * cols + j] = pair(i, j);
  }
  return out;
}

/**
 * What an assigner needs from its `iou_calculator` config: `BboxOverlaps2D`, or any TASK_UTILS class with the
 * same `overlaps` method.
 *
 * @example
 * const calculator = TASK_UTILS.build<IouCalculator>({ type: 'BboxOverlaps2D' });
 */
export interface IouCalculator {
  overlaps(bboxes1: Float32Array, bboxes2: Float32Array, mode?: OverlapMode, isAligned?: boolean): Float32Array;
}

/**
 * Options of `BboxOverlaps2D`: none (mmdet's fp16 `scale` and `dtype` are left out).
 *
 * @example
 * bboxOverlaps2DSchema.parse({}); // {}
 */
export const bboxOverlaps2DSchema = z.strictObject({});

/**
 * Options of `BboxOverlaps2D`, keys as in MMDetection configs.
 *
 * @example
 * const options: BboxOverlaps2DOptions = {};
 */
export type BboxOverlaps2DOptions = z.input<typeof bboxOverlaps2DSchema>;

/**
 * The 2D IoU calculator assigners build from `iou_calculator`; `overlaps` is mmdet's `__call__`.
 *
 * @example
 * iou_calculator: { type: 'BboxOverlaps2D' }
 */
@TASK_UTILS.register({ name: 'BboxOverlaps2D', schema: bboxOverlaps2DSchema, description: 'IoU/IoF/GIoU of 2D boxes (mmdet BboxOverlaps2D).' })
export class BboxOverlaps2D implements IouCalculator {
  constructor(options: BboxOverlaps2DOptions = {}) {
    bboxOverlaps2DSchema.parse(options);
  }

  /** See `bboxOverlaps`; n·m values, or n when `isAligned`. */
  overlaps(bboxes1: Float32Array, bboxes2: Float32Array, mode: OverlapMode = 'iou', isAligned = false): Float32Array {
    return bboxOverlaps(bboxes1, bboxes2, { mode, is_aligned: isAligned });
  }
}

/** Overlap of box i of `a` with box j of `b`, per `mode` (mmdet `bbox_overlaps`, one pair). */
function overlap(a: Float32Array, i: number, b: Float32Array, j: number, mode: OverlapMode, eps: number): number {
  const ax1 = a[4 * i]!, ay1 = a[4 * i + 1]!, ax2 = a[4 * i + 2]!, ay2 = a[4 * i + 3]!;
  const bx1 = b[4 * j]!, by1 = b[4 * j + 1]!, bx2 = b[4 * j + 2]!, by2 = b[4 * j + 3]!;
  // Areas are not clamped: an inverted box has a negative area, as in mmdet.
  const area1 = (ax2 - ax1) * (ay2 - ay1);
  const area2 = (bx2 - bx1) * (by2 - by1);
  const w = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0);
  const h = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0);
  const inter = w * h;
  const union = Math.max(mode === 'iof' ? area1 : area1 + area2 - inter, eps);
  const iou = inter / union;
  if (mode !== 'giou') return iou;
  const ew = Math.max(Math.max(ax2, bx2) - Math.min(ax1, bx1), 0);
  const eh = Math.max(Math.max(ay2, by2) - Math.min(ay1, by1), 0);
  const enclose = Math.max(ew * eh, eps);
  return iou - (enclose - union) / enclose;
}

/** Number of boxes in a flat x1y1x2y2 array; throws when its length is not a multiple of 4. */
function boxCount(boxes: Float32Array, name: string): number {
  if (boxes.length % 4 !== 0) {
    throw new DetlabError(`bboxOverlaps: ${name} must hold 4 values (x1, y1, x2, y2) per box, got ${boxes.length} values`);
  }
  return boxes.length / 4;
}
