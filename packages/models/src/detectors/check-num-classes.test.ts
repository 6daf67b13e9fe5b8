import { ConfigValidationError } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import { assertNumClasses, checkNumClasses } from './check-num-classes.js';

const classes = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const config = (numClasses: number, extra: Record<string, unknown> = {}) => ({
  model: { type: 'ATSS', bbox_head: { type: 'ATSSHead', num_classes: numClasses } },
  train_dataloader: { dataset: { type: 'CocoDataset', metainfo: { classes } } },
  val_dataloader: { dataset: { type: 'RepeatDataset', times: 2, dataset: { type: 'CocoDataset', metainfo: { classes } } } },
  ...extra,
});

describe('checkNumClasses', () => {
  it('accepts heads whose num_classes equals every dataset class count', () => {
    expect(checkNumClasses(config(10))).toEqual([]);
  });

  it('reports a head that disagrees with the dataset at model.bbox_head.num_classes', () => {
    expect(checkNumClasses(config(80))).toEqual([
      { path: 'model.bbox_head.num_classes', message: 'expected 10, the number of train_dataloader.dataset.metainfo.classes, got 80' },
    ]);
    expect(() => assertNumClasses(config(80), 'configs/x.ts')).toThrow(ConfigValidationError);
    expect(() => assertNumClasses(config(80), 'configs/x.ts')).toThrow('Config validation found 1 problem in configs/x.ts');
  });

  it('looks through dataset wrappers and checks a distillation teacher too', () => {
    const cfg = config(10, { train_dataloader: null });
    (cfg.model as Record<string, unknown>).teacher = { type: 'ATSS', bbox_head: { num_classes: 3 } };
    expect(checkNumClasses(cfg)).toEqual([
      { path: 'model.teacher.bbox_head.num_classes', message: 'expected 10, the number of val_dataloader.dataset.dataset.metainfo.classes, got 3' },
    ]);
  });

  it('skips datasets that name no classes in their config (CocoDataset has its 80 built in)', () => {
    expect(checkNumClasses({ model: { bbox_head: { num_classes: 80 } }, train_dataloader: { dataset: { type: 'CocoDataset' } } })).toEqual([]);
  });
});
