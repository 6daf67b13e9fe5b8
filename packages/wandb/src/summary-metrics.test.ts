import { ConfigError } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import { SummaryMetrics, defineMetricCfgSchema, summaryKey } from './summary-metrics.js';

/** Annotates each row in turn and returns the added keys of each. */
function run(metrics: SummaryMetrics, rows: Array<Record<string, number>>) {
  return rows.map((row) => {
    const before = new Set(Object.keys(row));
    metrics.annotate(row);
    return Object.fromEntries(Object.entries(row).filter(([key]) => !before.has(key)));
  });
}

describe('SummaryMetrics', () => {
  it('keeps the running max, min and mean of a metric under metric.kind', () => {
    const metrics = new SummaryMetrics({ 'coco/bbox_mAP': 'max', loss: 'min,mean' });
    expect(run(metrics, [{ 'coco/bbox_mAP': 0.2, loss: 3 }, { loss: 1 }, { 'coco/bbox_mAP': 0.5, loss: 2 }, { 'coco/bbox_mAP': 0.4 }])).toEqual([
      { 'coco/bbox_mAP.max': 0.2, 'loss.min': 3, 'loss.mean': 3 },
      { 'loss.min': 1, 'loss.mean': 2 },
      { 'coco/bbox_mAP.max': 0.5, 'loss.min': 1, 'loss.mean': 2 },
      { 'coco/bbox_mAP.max': 0.5 },
    ]);
  });

  it("takes 'best' as max or min by goal, else by the metric's name as save_best does", () => {
    const metrics = new SummaryMetrics([
      { name: 'coco/bbox_mAP', summary: 'best' },
      { name: 'val_loss', summary: 'best' },
      { name: 'score', summary: 'best', goal: 'minimize' },
    ]);
    expect(run(metrics, [{ 'coco/bbox_mAP': 0.3, val_loss: 2, score: 5 }, { 'coco/bbox_mAP': 0.1, val_loss: 3, score: 4 }])[1]).toEqual({
      'coco/bbox_mAP.best': 0.3,
      'val_loss.best': 2,
      'score.best': 4,
    });
  });

  it("adds nothing for 'last' or 'none', and skips values that are not finite numbers", () => {
    const metrics = new SummaryMetrics({ loss: 'last', lr: 'none', acc: 'max' });
    expect(run(metrics, [{ loss: 1, lr: 0.1, acc: Number.NaN }])).toEqual([{}]);
  });

  it('matches metric names with * wildcards', () => {
    const metrics = new SummaryMetrics({ 'coco/*': 'max' });
    expect(run(metrics, [{ 'coco/bbox_mAP': 0.3, 'coco/bbox_mAP_50': 0.6, loss: 1 }])).toEqual([{ 'coco/bbox_mAP.max': 0.3, 'coco/bbox_mAP_50.max': 0.6 }]);
  });

  it("throws a ConfigError at the metric's path when 'best' has no goal and the name does not tell", () => {
    expect(() => new SummaryMetrics({ score: 'best' }, 'vis_backends.1.define_metric_cfg')).toThrow(ConfigError);
    expect(() => new SummaryMetrics({ score: 'best' }, 'vis_backends.1.define_metric_cfg')).toThrow("vis_backends.1.define_metric_cfg.score: cannot tell whether 'score' is better greater or less");
  });

  it('builds summary keys in one place', () => {
    expect(summaryKey('coco/bbox_mAP', 'max')).toBe('coco/bbox_mAP.max');
  });
});

describe('defineMetricCfgSchema', () => {
  it('accepts the map form, the list form and null', () => {
    expect(defineMetricCfgSchema.parse({ 'coco/bbox_mAP': 'max', loss: 'min, mean' })).toEqual({ 'coco/bbox_mAP': 'max', loss: 'min, mean' });
    expect(defineMetricCfgSchema.parse([{ name: 'loss', step_metric: 'epoch' }])).toEqual([{ name: 'loss', step_metric: 'epoch' }]);
    expect(defineMetricCfgSchema.parse(null)).toBeNull();
  });

  it('rejects an unknown summary kind, saying which kinds exist', () => {
    const result = defineMetricCfgSchema.safeParse({ loss: 'minimum' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toBe("expected max, min, mean, best or last (comma-separated), got 'minimum'");
  });
});
