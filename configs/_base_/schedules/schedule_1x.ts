// The 12-epoch schedule; mirrors mmdet configs/_base_/schedules/schedule_1x.py.
import { defineConfig } from '@detlab/core';

export default defineConfig({
  train_cfg: { type: 'EpochBasedTrainLoop', max_epochs: 12, val_interval: 1 },
  val_cfg: { type: 'ValLoop' },
  test_cfg: { type: 'TestLoop' },
  param_scheduler: [
    // Linear warm-up over the first 500 iterations, then x0.1 at epochs 8 and 11.
    { type: 'LinearLR', start_factor: 0.001, by_epoch: false, begin: 0, end: 500 },
    { type: 'MultiStepLR', begin: 0, end: 12, by_epoch: true, milestones: [8, 11], gamma: 0.1 },
  ],
  optim_wrapper: {
    type: 'OptimWrapper',
    optimizer: { type: 'SGD', lr: 0.02, momentum: 0.9, weight_decay: 0.0001 },
  },
  // lr is scaled by (actual batch size / base_batch_size) when enabled.
  auto_scale_lr: { enable: false, base_batch_size: 16 },
});
