/**
 * Turns a parsed COCO annotation file into data infos, class mappings and counts of what was fixed or dropped;
 * mirrors mmdet `CocoDataset.load_data_list` and `parse_data_info` (`mmdet/datasets/coco.py`).
 *
 * The file's structure (images, categories) must be right: a wrong field fails with the file and the entry.
 * Single annotations must not stop a run, so a bad one is fixed or dropped and counted: unknown image or
 * category ids, malformed or negative-size boxes are dropped; boxes reaching outside the image are clipped to
 * it; boxes under 1 px in either side after clipping (or with area ≤ 0) are dropped, as mmdet drops them.
 * Crowd annotations (`iscrowd: 1`) become ignored instances; `ignore: true` ones are skipped, as in mmdet.
 *
 * Labels follow `classes`: label i is `classes[i]`, whichever order the file lists its categories in (mmdet
 * orders by the file; the two agree for COCO itself). Without `classes`, every category of the file is used in
 * the file's order.
 *
 * @example
 * const parsed = parseCoco(readJsonFile(annFile), { file: annFile, imgPrefix: 'data/coco/val2017/' });
 * parsed.classes; // ['person', 'bicycle', ...]
 * parsed.stats.clipped_boxes; // 12
 */
import { join } from 'node:path';
import { DetlabError, describeValue, didYouMean, isPlainObject } from '@detlab/core';
import type { DataInfo, DataInstance } from './data-info.js';

/**
 * Counts of annotations parseCoco fixed or dropped (each is a warning when non-zero) and of crowds.
 *
 * @example
 * const { unknown_category, clipped_boxes } = dataset.stats;
 */
export interface CocoParseStats {
  /** Annotations whose `image_id` names no image: dropped. */
  unknown_image: number;
  /** Annotations whose `category_id` names no category of the file: dropped. */
  unknown_category: number;
  /** Annotations without 4 finite bbox numbers, or with negative width or height: dropped. */
  invalid_boxes: number;
  /** Boxes reaching outside their image: clipped to it. */
  clipped_boxes: number;
  /** Boxes under 1 px wide or high after clipping, or with area ≤ 0: dropped. */
  empty_boxes: number;
  /** Crowd annotations, kept as ignored instances (not a problem). */
  crowd: number;
}

/**
 * What parseCoco returns.
 *
 * @example
 * const { dataList, classes, catIds, stats } = parseCoco(raw, { file, imgPrefix });
 */
export interface ParsedCoco {
  dataList: DataInfo[];
  classes: string[];
  /** label → category id (mmdet `cat_ids`; `label2cat` in CocoMetric). */
  catIds: number[];
  stats: CocoParseStats;
}

/**
 * Options of parseCoco.
 *
 * @example
 * const options: ParseCocoOptions = { file: 'ann.json', imgPrefix: 'images/', classes: ['cat'] };
 */
export interface ParseCocoOptions {
  /** The annotation file, for messages. */
  file: string;
  /** Joined before each `file_name`. */
  imgPrefix: string;
  /** Class names to keep, in label order; every category of the file when absent. */
  classes?: readonly string[];
}

/**
 * Parses `raw` (a COCO annotation file's content); see the file comment.
 *
 * @example
 * parseCoco({ images: [], annotations: [], categories: [{ id: 1, name: 'cat' }] }, { file: 'a.json', imgPrefix: '' }).classes; // ['cat']
 */
export function parseCoco(raw: unknown, options: ParseCocoOptions): ParsedCoco {
  const { file } = options;
  if (!isPlainObject(raw)) throw new DetlabError(`${file}: expected a COCO object with images, annotations and categories, got ${describeValue(raw)}`);
  const images = listAt(raw, 'images', file);
  const annotations = raw.annotations === undefined ? [] : listAt(raw, 'annotations', file);
  const categories = listAt(raw, 'categories', file).map((c, i) => checkCategory(c, i, file));

  const { classes, catIds } = selectClasses(categories, options.classes, file);
  const cat2label = new Map(catIds.map((id, label) => [id, label]));
  const knownCats = new Set(categories.map((c) => c.id));
  const stats: CocoParseStats = { unknown_image: 0, unknown_category: 0, invalid_boxes: 0, clipped_boxes: 0, empty_boxes: 0, crowd: 0 };

  const dataList: DataInfo[] = [];
  const byId = new Map<number, DataInfo>();
  images.forEach((image, i) => {
    const info = checkImage(image, i, file, options.imgPrefix);
    if (byId.has(info.img_id)) throw new DetlabError(`${file}: images[${i}].id: image id ${info.img_id} appears twice`);
    byId.set(info.img_id, info);
    dataList.push(info);
  });

  for (const ann of annotations) {
    if (!isPlainObject(ann) || ann.ignore === true) continue;
    const info = byId.get(ann.image_id as number);
    if (!info) {
      stats.unknown_image += 1;
      continue;
    }
    const catId = ann.category_id as number;
    if (!knownCats.has(catId)) {
      stats.unknown_category += 1;
      continue;
    }
    const label = cat2label.get(catId);
    if (label === undefined) continue; // a category the config did not select
    const instance = toInstance(ann, info, label, stats);
    if (instance) info.instances.push(instance);
  }
  return { dataList, classes, catIds, stats };
}

/** The box of `ann` clipped to its image, or undefined (counted) when it cannot be used. */
function toInstance(ann: Record<string, unknown>, info: DataInfo, label: number, stats: CocoParseStats): DataInstance | undefined {
  const bbox = ann.bbox;
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    stats.invalid_boxes += 1;
    return undefined;
  }
  const [x, y, w, h] = bbox as number[];
  if (w < 0 || h < 0) {
    stats.invalid_boxes += 1;
    return undefined;
  }
  const x1 = Math.max(x, 0);
  const y1 = Math.max(y, 0);
  const x2 = Math.min(x + w, info.width);
  const y2 = Math.min(y + h, info.height);
  const area = typeof ann.area === 'number' ? ann.area : w * h;
  if (x2 - x1 < 1 || y2 - y1 < 1 || area <= 0) {
    stats.empty_boxes += 1;
    return undefined;
  }
  if (x1 !== x || y1 !== y || x2 !== x + w || y2 !== y + h) stats.clipped_boxes += 1;
  const crowd = ann.iscrowd === 1 || ann.iscrowd === true;
  if (crowd) stats.crowd += 1;
  return { bbox: [x1, y1, x2, y2], bbox_label: label, ignore_flag: crowd ? 1 : 0 };
}

function selectClasses(categories: Array<{ id: number; name: string }>, wanted: readonly string[] | undefined, file: string): { classes: string[]; catIds: number[] } {
  if (!wanted) return { classes: categories.map((c) => c.name), catIds: categories.map((c) => c.id) };
  const byName = new Map(categories.map((c) => [c.name, c.id]));
  const missing = wanted.filter((name) => !byName.has(name));
  if (missing.length > 0) {
    const names = categories.map((c) => c.name);
    const hint = missing.length === 1 ? didYouMean(missing[0], names) : '';
    throw new DetlabError(
      `metainfo.classes: ${missing.map((m) => `'${m}'`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not a category of ${file}.${hint}`,
      { hint: `Its categories are: ${names.slice(0, 30).join(', ')}${names.length > 30 ? ', ...' : ''}.` },
    );
  }
  return { classes: [...wanted], catIds: wanted.map((name) => byName.get(name)!) };
}

function listAt(raw: Record<string, unknown>, key: string, file: string): unknown[] {
  const value = raw[key];
  if (!Array.isArray(value)) throw new DetlabError(`${file}: '${key}' must be a list, got ${describeValue(value)}`);
  return value;
}

function checkCategory(c: unknown, i: number, file: string): { id: number; name: string } {
  if (!isPlainObject(c) || typeof c.id !== 'number' || typeof c.name !== 'string') {
    throw new DetlabError(`${file}: categories[${i}]: expected { id: number, name: string }, got ${describeValue(c)}`);
  }
  return { id: c.id, name: c.name };
}

function checkImage(image: unknown, i: number, file: string, imgPrefix: string): DataInfo {
  const where = `${file}: images[${i}]`;
  if (!isPlainObject(image)) throw new DetlabError(`${where}: expected an object, got ${describeValue(image)}`);
  const { id, file_name: fileName, width, height } = image;
  if (typeof id !== 'number') throw new DetlabError(`${where}.id: expected a number, got ${describeValue(id)}`);
  if (typeof fileName !== 'string') throw new DetlabError(`${where}.file_name: expected a string, got ${describeValue(fileName)}`);
  for (const [key, v] of [['width', width], ['height', height]] as const) {
    if (typeof v !== 'number' || !(v > 0)) throw new DetlabError(`${where}.${key}: expected a positive number, got ${describeValue(v)}`);
  }
  return { img_id: id, img_path: join(imgPrefix, fileName), width: width as number, height: height as number, instances: [] };
}
