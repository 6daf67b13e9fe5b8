/**
 * Ground truth gathered from data samples, turned into a COCO JSON object: mmdet's
 * `CocoMetric.gt_to_coco_json`, used when the metric has no annotation file.
 *
 * Category ids are the labels (0 … n−1, named by `classes`), annotation ids count from 1 (pycocotools treats a
 * match to id 0 as no match), `iscrowd` is the instance's `ignore_flag`, and `area` is the box's w × h.
 */
import type { CocoAnnotation, CocoJson } from './coco-types.js';

/**
 * One ground-truth object as a dataset's data info holds it (mmdet's `instances` entries): x1y1x2y2 in
 * original-image pixels.
 *
 * @example
 * const instance: GtInstance = { bbox: [10, 20, 110, 220], bbox_label: 3, ignore_flag: 0 };
 */
export interface GtInstance {
  bbox: readonly number[];
  bbox_label: number;
  /** 1 (or true) for a crowd region. */
  ignore_flag?: number | boolean;
}

/**
 * The ground truth of one image as the metric keeps it.
 *
 * @example
 * const gt: ImageGroundTruth = { img_id: 42, width: 640, height: 480, anns: [{ bbox: [10, 20, 110, 220], bbox_label: 3 }] };
 */
export interface ImageGroundTruth {
  img_id: number;
  width: number;
  height: number;
  anns: readonly GtInstance[];
}

/**
 * A COCO JSON object holding `gts`, with one category per class name.
 *
 * @example
 * gtToCocoJson([{ img_id: 1, width: 64, height: 64, anns: [{ bbox: [0, 0, 10, 10], bbox_label: 0 }] }], ['cat']);
 * // { images: [{ id: 1, ... }], annotations: [{ id: 1, bbox: [0, 0, 10, 10], area: 100, ... }], categories: [{ id: 0, name: 'cat' }] }
 */
export function gtToCocoJson(gts: readonly ImageGroundTruth[], classes: readonly string[]): CocoJson {
  const annotations: CocoAnnotation[] = [];
  const images = gts.map((gt) => {
    for (const ann of gt.anns) {
      const [x1, y1, x2, y2] = ann.bbox as [number, number, number, number];
      const bbox = [x1, y1, x2 - x1, y2 - y1];
      annotations.push({
        id: annotations.length + 1,
        image_id: gt.img_id,
        bbox,
        iscrowd: ann.ignore_flag ? 1 : 0,
        category_id: ann.bbox_label,
        area: bbox[2]! * bbox[3]!,
      });
    }
    return { id: gt.img_id, width: gt.width, height: gt.height, file_name: '' };
  });
  return { images, annotations, categories: classes.map((name, id) => ({ id, name })) };
}
