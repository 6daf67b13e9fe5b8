import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRICS, type Logger } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import { CocoMetric } from './coco-metric.js';
import type { CocoMetricSample } from './metric-sample.js';
import type { CocoJson } from './coco-types.js';

/**
 * Image 7, category 5 ('five'): four 40×40 objects (area 1600: medium). Predictions (all 40×40) by score: TP, FP, TP, FP,
 * so AP = 128/303 = 0.42244 at every IoU (derivation in coco-evaluator.test.ts) and recall 0.5.
 */
const objects = [[0, 0, 40, 40], [100, 0, 40, 40], [200, 0, 40, 40], [300, 0, 40, 40]];
const gt: CocoJson = {
  images: [{ id: 7, width: 640, height: 480 }],
  annotations: objects.map((bbox, i) => ({ id: i + 1, image_id: 7, category_id: 5, bbox, area: 1600, iscrowd: 0 })),
  categories: [{ id: 4, name: 'four' }, { id: 5, name: 'five' }],
};
const xyxy = ([x, y, w, h]: number[]) => [x!, y!, x! + w!, y! + h!];
function sample(label = 1, imgId = 7): CocoMetricSample {
  return {
    metainfo: { img_id: imgId, ori_shape: [480, 640] },
    pred_instances: {
      bboxes: Float32Array.from([objects[0]!, [900, 900, 40, 40], objects[1]!, [950, 900, 40, 40]].flatMap(xyxy)),
      scores: Float32Array.of(0.9, 0.8, 0.7, 0.6),
      labels: Int32Array.of(label, label, label, label),
    },
  };
}
function quietLogger(lines: string[] = []): Logger {
  const log = (m: string) => void lines.push(m);
  return { debug: log, info: log, warn: log, error: log, level: 'debug', addFile: () => undefined };
}
function metricWith(options: ConstructorParameters<typeof CocoMetric>[0] = {}, lines: string[] = []): CocoMetric {
  const metric = new CocoMetric(options);
  metric.logger = quietLogger(lines);
  metric.setGroundTruth(gt);
  metric.datasetMeta = { classes: ['four', 'five'] };
  return metric;
}

describe('CocoMetric', () => {
  it("is built from METRICS by mmdet's val_evaluator config", () => {
    const metric = METRICS.build<CocoMetric>({ type: 'CocoMetric', metric: 'bbox', format_only: false, backend_args: null }, { path: 'val_evaluator' });
    expect(metric).toBeInstanceOf(CocoMetric);
    expect(metric.prefix).toBe('coco');
    expect(metric.options.proposal_nums).toEqual([100, 300, 1000]);
  });

  it('reports mAP and AR under coco/ keys, rounded to 3 decimals as mmdet, and clears its results', () => {
    const metric = metricWith();
    metric.process({}, [sample()]);
    const metrics = metric.evaluate(1);
    expect(metrics).toEqual({
      'coco/bbox_mAP': 0.422, 'coco/bbox_mAP_50': 0.422, 'coco/bbox_mAP_75': 0.422,
      'coco/bbox_mAP_s': -1, 'coco/bbox_mAP_m': 0.422, 'coco/bbox_mAP_l': -1,
      'coco/bbox_AR@100': 0.5, 'coco/bbox_AR@300': 0.5, 'coco/bbox_AR@1000': 0.5,
      'coco/bbox_AR_s@1000': -1, 'coco/bbox_AR_m@1000': 0.5, 'coco/bbox_AR_l@1000': -1,
    });
    expect(Object.keys(metrics)[0]).toBe('coco/bbox_mAP');
    expect(metric.results).toHaveLength(0);
  });

  it("takes detlab's loop form: process(batch, predictions) with the image facts in batch.data_samples", () => {
    const metric = metricWith({ metric_items: ['mAP'] });
    const { pred_instances: prediction, metainfo } = sample();
    metric.process({ inputs: [], data_samples: [{ metainfo }] }, [prediction]);
    expect(metric.evaluate(1)).toEqual({ 'coco/bbox_mAP': 0.422 });
  });

  it('records only metric_items when given, under the prefix given', () => {
    const metric = metricWith({ metric_items: ['mAP_50', 'AR@100'], prefix: 'val' });
    metric.process({}, [sample()]);
    expect(metric.evaluate(1)).toEqual({ 'val/bbox_mAP_50': 0.422, 'val/bbox_AR@100': 0.5 });
  });

  it('maps labels to categories by class name, or by the dataset cat_ids when given', () => {
    const byName = metricWith();
    byName.process({}, [sample(0)]); // label 0 = 'four' = category 4: no ground truth there, all false positives
    expect(byName.evaluate(1)['coco/bbox_mAP']).toBe(0);
    const byIds = metricWith();
    byIds.datasetMeta = { classes: ['a', 'b'], cat_ids: [5, 4] }; // label 0 → category 5
    byIds.process({}, [sample(0)]);
    expect(byIds.evaluate(1)['coco/bbox_mAP']).toBe(0.422);
    const wrong = metricWith();
    wrong.datasetMeta = { classes: ['five', 'six'] };
    wrong.process({}, [sample()]);
    expect(() => wrong.evaluate(1)).toThrow("CocoMetric: class 'six' has no category in the ground truth given to setGroundTruth; it has 'four', 'five'");
  });

  it('maps labels to the categories in file order without class names, sorted by id with sort_categories', () => {
    const unsorted: CocoJson = { ...gt, categories: [{ id: 5, name: 'five' }, { id: 4, name: 'four' }] };
    for (const [sort, expected] of [[false, 0.422], [true, 0]] as const) {
      const metric = new CocoMetric({ sort_categories: sort, metric_items: ['mAP'] });
      metric.logger = quietLogger();
      metric.setGroundTruth(unsorted);
      metric.process({}, [sample(0)]); // label 0: category 5 in file order, 4 once sorted
      expect(metric.evaluate(1)['coco/bbox_mAP']).toBe(expected);
    }
  });

  it('adds a per-category table and <category>_precision values with classwise', () => {
    const lines: string[] = [];
    const metric = metricWith({ classwise: true, metric_items: ['mAP'] }, lines);
    metric.process({}, [sample()]);
    const metrics = metric.evaluate(1);
    expect(Object.keys(metrics)).toEqual(['coco/bbox_mAP', 'coco/four_precision', 'coco/five_precision']);
    expect(metrics['coco/four_precision']).toBeNaN();
    expect(metrics['coco/five_precision']).toBe(0.422);
    expect(lines.join('\n')).toContain('| five     | 0.422 | 0.422  | 0.422  | nan   | 0.422 | nan   |');
    expect(lines).toContain('bbox_mAP_copypaste: 0.422 0.422 0.422 -1.000 0.422 -1.000');
  });

  it('reads the ground truth from ann_file, naming the file when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'detlab-coco-metric-'));
    const file = join(dir, 'val.json');
    writeFileSync(file, JSON.stringify(gt));
    const metric = new CocoMetric({ ann_file: file, metric_items: ['mAP'] });
    metric.logger = quietLogger();
    metric.datasetMeta = { classes: ['four', 'five'] };
    metric.process({}, [sample()]);
    expect(metric.evaluate(1)).toEqual({ 'coco/bbox_mAP': 0.422 });
    expect(() => new CocoMetric({ ann_file: join(dir, 'missing.json') })).toThrow(`Cannot read the annotation file ${join(dir, 'missing.json')}: it does not exist`);
    writeFileSync(file, '{"images": 3}');
    expect(() => new CocoMetric({ ann_file: file })).toThrow(`${file}: expected a COCO annotation file with a 'images' list, got 3`);
  });

  it("takes the ground truth from the samples' instances when it has none, labels as category ids", () => {
    const metric = new CocoMetric({ metric_items: ['mAP', 'AR@100'] });
    metric.logger = quietLogger();
    metric.datasetMeta = { classes: ['four', 'five'] };
    const instances = objects.map((b) => ({ bbox: xyxy(b), bbox_label: 1, ignore_flag: 0 }));
    metric.process({}, [{ ...sample(), metainfo: { img_id: 7, ori_shape: [480, 640], instances } }]);
    expect(metric.evaluate(1)).toEqual({ 'coco/bbox_mAP': 0.422, 'coco/bbox_AR@100': 0.5 });
    metric.process({}, [sample()]);
    expect(() => metric.evaluate(1)).toThrow("CocoMetric: no ground truth for image 7\n  Set ann_file, call setGroundTruth(coco), or keep 'instances'");
  });

  it('writes <outfile_prefix>.bbox.json in xywh and returns nothing with format_only', () => {
    const prefix = join(mkdtempSync(join(tmpdir(), 'detlab-coco-metric-')), 'out', 'results');
    const metric = metricWith({ format_only: true, outfile_prefix: prefix });
    metric.process({}, [sample()]);
    expect(metric.evaluate(1)).toEqual({});
    const written = JSON.parse(readFileSync(`${prefix}.bbox.json`, 'utf8')) as unknown[];
    expect(written).toHaveLength(4);
    expect(written[0]).toEqual({ image_id: 7, bbox: [0, 0, 40, 40], score: Math.fround(0.9), category_id: 5 });
  });

  it('accepts tensors (dataSync) and evaluates no predictions to 0 with a warning', () => {
    const lines: string[] = [];
    const metric = metricWith({ metric_items: ['mAP'] }, lines);
    const tensor = (values: number[]) => ({ dataSync: () => Float32Array.from(values) });
    metric.process({}, [{ img_id: 7, pred_instances: { bboxes: tensor([]), scores: tensor([]), labels: tensor([]) } }]);
    expect(metric.evaluate(1)).toEqual({ 'coco/bbox_mAP': 0 });
    expect(lines.some((l) => l.includes('The testing results of the whole dataset is empty'))).toBe(true);
  });

  it('refuses predictions for images the ground truth lacks (the wrong ann_file)', () => {
    const metric = metricWith();
    metric.process({}, [sample(1, 8)]);
    expect(() => metric.evaluate(1)).toThrow('CocoMetric: predictions for 1 image id(s) that the ground truth given to setGroundTruth does not have (8)');
  });

  it('rejects metrics other than bbox and inconsistent options, naming the option', () => {
    expect(() => new CocoMetric({ metric: 'segm' })).toThrow("CocoMetric.metric: 'segm' is an mmdet metric that detlab does not evaluate yet; use metric: 'bbox' (box AP)");
    expect(() => new CocoMetric({ metric: ['bbox', 'box'] })).toThrow("CocoMetric.metric.1: expected 'bbox'");
    expect(() => new CocoMetric({ format_only: true })).toThrow('CocoMetric.outfile_prefix: required when format_only is true');
    expect(() => METRICS.build({ type: 'CocoMetric', metric_items: ['mAP_xl'] }, { path: 'val_evaluator' })).toThrow('val_evaluator.metric_items.0');
    expect(() => new CocoMetric({ file_client_args: { backend: 'disk' } })).toThrow('CocoMetric.file_client_args: deprecated since mmdet 3.0: use backend_args instead');
  });
});
