/**
 * Detections in columns: one typed array per field instead of one object per box.
 *
 * A COCO validation run has hundreds of thousands of detections (5,000 images × 100); as objects with a `bbox`
 * array each they cost ~100 MB and a slow garbage collection, as columns a few MB. The evaluator reads only
 * this form; `detectionsFromResults` converts COCO's JSON results format into it.
 */
import { DetlabError } from '@detlab/core';
import type { CocoDetectionResult } from './coco-types.js';

/**
 * Detections as columns; entry i is `imageIds[i]`, `categoryIds[i]`, `boxes[4i .. 4i+3]` (x, y, w, h in pixels,
 * w = x2 − x1) and `scores[i]`. Order matters only among equal scores: the earlier entry ranks first, as
 * pycocotools' stable sort keeps the order of the results list.
 *
 * @example
 * const dets = allocateDetections(1);
 * dets.imageIds[0] = 1; dets.categoryIds[0] = 3; dets.boxes.set([8, 8, 40, 40]); dets.scores[0] = 0.9;
 */
export interface CocoDetections {
  readonly length: number;
  readonly imageIds: Float64Array;
  readonly categoryIds: Float64Array;
  /** [length × 4]: x, y, width, height. */
  readonly boxes: Float64Array;
  readonly scores: Float64Array;
}

/**
 * Zero-filled columns for `length` detections, to be filled in place.
 *
 * @example
 * const dets = allocateDetections(results.length);
 */
export function allocateDetections(length: number): CocoDetections {
  return {
    length,
    imageIds: new Float64Array(length),
    categoryIds: new Float64Array(length),
    boxes: new Float64Array(length * 4),
    scores: new Float64Array(length),
  };
}

/**
 * Columns from COCO's results format (a parsed `*.bbox.json`), keeping the list order.
 *
 * @example
 * detectionsFromResults([{ image_id: 1, category_id: 3, bbox: [8, 8, 40, 40], score: 0.9 }]).length; // 1
 */
export function detectionsFromResults(results: readonly CocoDetectionResult[]): CocoDetections {
  const dets = allocateDetections(results.length);
  results.forEach((r, i) => {
    if (r.bbox.length !== 4) {
      throw new DetlabError(`detection ${i} (image ${r.image_id}): expected bbox [x, y, width, height], got ${JSON.stringify(r.bbox)}`);
    }
    dets.imageIds[i] = r.image_id;
    dets.categoryIds[i] = r.category_id;
    dets.boxes.set(r.bbox, 4 * i);
    dets.scores[i] = r.score;
  });
  return dets;
}

/**
 * COCO's results format from columns, key order as mmdet writes it (`image_id`, `bbox`, `score`, `category_id`).
 *
 * @example
 * JSON.stringify(detectionsToResults(dets)); // what format_only writes to <outfile_prefix>.bbox.json
 */
export function detectionsToResults(dets: CocoDetections): CocoDetectionResult[] {
  const out: CocoDetectionResult[] = new Array(dets.length);
  for (let i = 0; i < dets.length; i += 1) {
    const b = dets.boxes;
    out[i] = {
      image_id: dets.imageIds[i]!,
      bbox: [b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!],
      score: dets.scores[i]!,
      category_id: dets.categoryIds[i]!,
    };
  }
  return out;
}
