import { describe, expect, it } from 'vitest';
import { expandRunName } from '../wandb-vis-backend.js';
import { bestValue, configPathOf, metricValues, paramsToCfgOptions, resolveMetricKey } from './trial.js';

describe('trial mapping rules', () => {
  it('maps bare lr and weight_decay to the optimizer and other names to dotted config paths', () => {
    expect(configPathOf('lr')).toBe('optim_wrapper.optimizer.lr');
    expect(configPathOf('weight_decay')).toBe('optim_wrapper.optimizer.weight_decay');
    expect(configPathOf('model.bbox_head.loss_cls.gamma')).toBe('model.bbox_head.loss_cls.gamma');
    expect(paramsToCfgOptions({ lr: 3e-4, 'train_cfg.max_epochs': 2, opt: { type: 'SGD', momentum: 0.9 }, scale: [128, 96], flag: null })).toEqual([
      'optim_wrapper.optimizer.lr=0.0003',
      'train_cfg.max_epochs=2',
      'opt.type=SGD',
      'opt.momentum=0.9',
      'scale=[128,96]',
      'flag=None',
    ]);
  });

  it('finds the sweep metric among the val metrics: exact key, val/x as coco/x, else a unique */x', () => {
    const keys = ['coco/bbox_mAP', 'coco/bbox_mAP_50', 'loss'];
    expect(resolveMetricKey('coco/bbox_mAP', keys)).toBe('coco/bbox_mAP');
    expect(resolveMetricKey('val/bbox_mAP_50', keys)).toBe('coco/bbox_mAP_50');
    expect(resolveMetricKey('bbox_mAP_50', keys)).toBe('coco/bbox_mAP_50');
    expect(resolveMetricKey('val/bbox_mAP_50', ['a/bbox_mAP_50', 'b/bbox_mAP_50'])).toBeUndefined();
    expect(resolveMetricKey('val/AR', keys)).toBeUndefined();
  });

  it('keeps only finite metric values, as W&B filters history', () => {
    const history = [1, Number.NaN, Number.POSITIVE_INFINITY, 2].map((value, iter) => ({ iter, epoch: iter, value, at: '' }));
    expect(metricValues({ history })).toEqual([1, 2]);
    expect(bestValue({ history }, 'maximize')).toBe(2);
    expect(bestValue({ history }, 'minimize')).toBe(1);
    expect(bestValue({ history: [] }, 'minimize')).toBeUndefined();
  });

  it('names a W&B run after its run folder: {run_id} and {experiment_name}', () => {
    expect(expandRunName('atss_kd_{run_id}', '/w/runs/trial-001/2026-11-29_09-22-41_7xr2g')).toBe('atss_kd_7xr2g');
    expect(expandRunName('{experiment_name}', '/w/2026-11-29_09-22-41_7xr2g')).toBe('2026-11-29_09-22-41_7xr2g');
    expect(expandRunName(undefined, '/w/x')).toBeUndefined();
  });
});
