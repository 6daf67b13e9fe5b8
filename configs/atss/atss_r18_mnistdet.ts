// The tiny ATSS on MNIST-Det with a schedule that fits 10 minutes on 2 CPU cores (wasm): 5 epochs of 250
// iterations, a 250-iteration warm-up and one x0.1 step before the last epoch, as schedule_1x does at epoch 11 of 12.
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: './atss_r18_tiny_mnistdet.ts',
  train_cfg: { max_epochs: 5 },
  param_scheduler: [
    { type: 'LinearLR', start_factor: 0.001, by_epoch: false, begin: 0, end: 250 },
    { type: 'MultiStepLR', begin: 0, end: 5, by_epoch: true, milestones: [4], gamma: 0.1 },
  ],
});
