import { validateConfig } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import './index.js';

describe('optim config keys', () => {
  it('accepts a schedule_1x config', () => {
    expect(
      validateConfig({
        optim_wrapper: { type: 'OptimWrapper', optimizer: { type: 'SGD', lr: 0.02, momentum: 0.9, weight_decay: 0.0001 }, clip_grad: null },
        param_scheduler: [
          { type: 'LinearLR', start_factor: 0.001, by_epoch: false, begin: 0, end: 500 },
          { type: 'MultiStepLR', begin: 0, end: 12, by_epoch: true, milestones: [8, 11], gamma: 0.1 },
        ],
        auto_scale_lr: { enable: false, base_batch_size: 16 },
      }),
    ).toEqual([]);
  });

  it('reports every problem of optim_wrapper with its config path', () => {
    const issues = validateConfig({
      optim_wrapper: {
        optimizer: { type: 'SGD', lr: 'fast' },
        clip_grad: { type: 'l2', max_norm: 1 },
        accumulative_counts: 0,
        paramwise_cfg: { norm_decay_mult: 0 },
      },
      auto_scale_lr: { enable: true },
    });
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'optim_wrapper.optimizer.lr',
        'optim_wrapper.clip_grad.type',
        'optim_wrapper.accumulative_counts',
        'optim_wrapper.paramwise_cfg.norm_decay_mult',
        'auto_scale_lr.base_batch_size',
      ]),
    );
    expect(issues.find((i) => i.path === 'optim_wrapper.clip_grad.type')?.message).toBe("expected one of 'norm', 'value', got 'l2'");
  });

  it('reports an unknown constructor and a missing optimizer', () => {
    const issues = validateConfig({ optim_wrapper: { constructor: 'Nope', clip_grad: { max_norm: 1 } } });
    expect(issues.map((i) => i.path)).toContain('optim_wrapper.optimizer');
    const withOptimizer = validateConfig({ optim_wrapper: { constructor: 'Nope', optimizer: { type: 'SGD', lr: 0.1 } } });
    expect(withOptimizer.map((i) => i.path)).toEqual(['optim_wrapper.constructor']);
  });
});
