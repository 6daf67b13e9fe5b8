/**
 * Small synthetic detection scenes for tests: flat-coloured rectangles on a dark background, labelled by colour,
 * as a `DetBatch` of BGR uint8 images (the layout images are loaded in).
 */
import type { DetBatch, DetDataSample } from '@detlab/tensor';

/** Label → BGR colour: 0 red, 1 green, 2 blue. */
export const COLOURS_BGR: ReadonlyArray<readonly [number, number, number]> = [
  [40, 40, 230],
  [40, 220, 40],
  [230, 60, 40],
];

/** One rectangle: x1y1x2y2 in pixels (integers) and its label. */
export interface Rect {
  box: [number, number, number, number];
  label: number;
}

/** A `size`×`size` BGR image per scene with its rectangles drawn, and samples whose GT are the rectangles. */
export function syntheticBatch(scenes: readonly Rect[][], size: number): DetBatch {
  const inputs = scenes.map((rects, i) => {
    const data = new Uint8Array(size * size * 3);
    for (let p = 0; p < size * size; p += 1) {
      // A faint deterministic texture, so the background is not perfectly flat.
      const v = 20 + ((p * 7 + i * 13) % 11);
      data.set([v, v, v], 3 * p);
    }
    for (const { box: [x1, y1, x2, y2], label } of rects) {
      for (let y = y1; y < y2; y += 1) for (let x = x1; x < x2; x += 1) data.set(COLOURS_BGR[label]!, 3 * (y * size + x));
    }
    return { data, shape: [size, size, 3] as [number, number, 3] };
  });
  const data_samples: DetDataSample[] = scenes.map((rects, i) => ({
    gt_instances: { bboxes: Float32Array.from(rects.flatMap((r) => r.box)), labels: Int32Array.from(rects, (r) => r.label) },
    metainfo: { img_id: i, ori_shape: [size, size], img_shape: [size, size], scale_factor: [1, 1] },
  }));
  return { inputs, data_samples };
}

/** IoU of two x1y1x2y2 boxes. */
export function iou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = w * h;
  const union = (a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter;
  return inter / union;
}
