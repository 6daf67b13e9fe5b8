// The MNIST-Det student of `atss_kd`, trained here without distillation (the baseline the README compares against):
// the tiny ATSS at half its width again, ResNet-18 with base_channels 8 (stages of 8, 16, 32, 64 channels), a 32-channel
// FPN and a head of two 32-channel convs per tower, 0.27 M parameters (the teacher has 1.69 M). 3 epochs, ×0.1 before
// the last, the seed of the teacher. Sized so that teacher and student train in well under 15 minutes on 2 CPU cores.
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: '../atss/atss_r18_tiny_mnistdet.ts',
  model: {
    backbone: { base_channels: 8 },
    neck: { in_channels: [8, 16, 32, 64], out_channels: 32 },
    bbox_head: { in_channels: 32, feat_channels: 32, norm_cfg: { type: 'GN', num_groups: 8, requires_grad: true } },
  },
  train_cfg: { max_epochs: 3 },
  param_scheduler: [
    { type: 'LinearLR', start_factor: 0.001, by_epoch: false, begin: 0, end: 250 },
    { type: 'MultiStepLR', begin: 0, end: 3, by_epoch: true, milestones: [2], gamma: 0.1 },
  ],
  randomness: { seed: 0 },
});
