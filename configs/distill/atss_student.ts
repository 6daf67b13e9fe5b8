// The MNIST-Det student of `atss_kd` trained without distillation: the baseline the README compares against.
// The tiny ATSS (ResNet-18 at a quarter width + FPN 64 + ATSS head) on a 3-epoch schedule (×0.1 before the last),
// the schedule `atss_kd` trains the student with, and the same seed.
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: '../atss/atss_r18_tiny_mnistdet.ts',
  train_cfg: { max_epochs: 3 },
  param_scheduler: [
    { type: 'LinearLR', start_factor: 0.001, by_epoch: false, begin: 0, end: 250 },
    { type: 'MultiStepLR', begin: 0, end: 3, by_epoch: true, milestones: [2], gamma: 0.1 },
  ],
  randomness: { seed: 0 },
});
