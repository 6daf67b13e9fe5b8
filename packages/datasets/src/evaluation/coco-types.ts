/**
 * The COCO JSON format (https://cocodataset.org/#format-data), typed as far as detection reads it.
 *
 * Shared by the dataset loader and the metric, so both agree on one shape: boxes are `[x, y, width, height]` in
 * pixels with width = x2 − x1 (no +1), ids are numbers, `iscrowd` marks a region that holds many objects.
 */

/**
 * One image entry of `images`.
 *
 * @example
 * const image: CocoImage = { id: 397133, file_name: '000000397133.jpg', width: 640, height: 427 };
 */
export interface CocoImage {
  id: number;
  file_name?: string;
  width?: number;
  height?: number;
}

/**
 * One object of `annotations`.
 *
 * @example
 * const ann: CocoAnnotation = { id: 1, image_id: 397133, category_id: 1, bbox: [10, 20, 30, 40], area: 1200, iscrowd: 0 };
 */
export interface CocoAnnotation {
  /** Unique among annotations; COCO's own files start at 1 (see `CocoEvaluator` on why 0 is a bad id). */
  id: number;
  image_id: number;
  category_id: number;
  /** `[x, y, width, height]`, top-left corner, pixels. */
  bbox: readonly number[];
  /** Object area in pixels²: the mask area in COCO's files, w × h when converted from boxes. Decides small/medium/large. */
  area?: number;
  /** 1 (or true) for a crowd region: never a missed object, and detections on it are neither right nor wrong. */
  iscrowd?: number | boolean;
  segmentation?: unknown;
}

/**
 * One entry of `categories`.
 *
 * @example
 * const category: CocoCategory = { id: 1, name: 'person', supercategory: 'person' };
 */
export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
}

/**
 * A COCO ground-truth file: `instances_val2017.json` and the like. `annotations` may be absent (mmdet writes
 * none for a dataset without objects).
 *
 * @example
 * const coco: CocoJson = {
 *   images: [{ id: 1, width: 128, height: 128 }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 3, bbox: [8, 8, 40, 40], area: 1600, iscrowd: 0 }],
 *   categories: [{ id: 3, name: '3' }],
 * };
 */
export interface CocoJson {
  images: CocoImage[];
  annotations?: CocoAnnotation[];
  categories: CocoCategory[];
  info?: unknown;
  licenses?: unknown;
}

/**
 * One detection in COCO's results format (what `<outfile_prefix>.bbox.json` holds, and what the COCO
 * evaluation server takes).
 *
 * @example
 * const det: CocoDetectionResult = { image_id: 1, bbox: [8.5, 7.25, 40, 41], score: 0.92, category_id: 3 };
 */
export interface CocoDetectionResult {
  image_id: number;
  /** `[x, y, width, height]`, pixels. */
  bbox: readonly number[];
  score: number;
  category_id: number;
}
