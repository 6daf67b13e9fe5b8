/**
 * What a dataset knows of one image before any transform: mmdet's `data_info` dict (`BaseDataset.get_data_info`).
 *
 * @example
 * const info: DataInfo = {
 *   img_id: 42, img_path: 'data/coco/val2017/000000000042.jpg', width: 640, height: 480,
 *   instances: [{ bbox: [10, 20, 110, 220], bbox_label: 3, ignore_flag: 0 }],
 * };
 */
export interface DataInfo {
  img_id: number;
  /** Path of the image file, data_root and data_prefix.img already joined. */
  img_path: string;
  /** Size recorded in the annotation file (before EXIF rotation). */
  width: number;
  height: number;
  instances: DataInstance[];
  [key: string]: unknown;
}

/**
 * One annotated object: a box x1y1x2y2 in image pixels, its class index, and whether it is ignored (a crowd).
 *
 * @example
 * const crowd: DataInstance = { bbox: [0, 0, 50, 40], bbox_label: 0, ignore_flag: 1 };
 */
export interface DataInstance {
  bbox: [number, number, number, number];
  bbox_label: number;
  /** 1 for crowd regions (COCO `iscrowd`): neither positive nor negative in training. */
  ignore_flag: 0 | 1;
}
