// A small ATSS that trains on a CPU (wasm backend): ResNet-18 at a quarter width (base_channels 16), a 64-channel
// FPN, and a head with two 64-channel convs per tower, on MNIST-Det's 128×128 images (10 classes). Same losses,
// assigner and post-processing as the R-50 model; trained from scratch (no Pretrained init).
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: [
    '../_base_/models/atss_r50_fpn.ts',
    '../_base_/datasets/mnist_det.ts',
    '../_base_/schedules/schedule_1x.ts',
    '../_base_/default_runtime.ts',
  ],
  model: {
    backbone: {
      _delete_: true,
      type: 'ResNet',
      depth: 18,
      base_channels: 16, // stages of 16, 32, 64, 128 channels
      out_indices: [0, 1, 2, 3],
      frozen_stages: -1,
      // From scratch, batch statistics must train: BN stays in train mode.
      norm_cfg: { type: 'BN', requires_grad: true },
      norm_eval: false,
      style: 'pytorch',
    },
    neck: { in_channels: [16, 32, 64, 128], out_channels: 64 },
    bbox_head: {
      num_classes: 10,
      in_channels: 64,
      stacked_convs: 2,
      feat_channels: 64,
      norm_cfg: { type: 'GN', num_groups: 16, requires_grad: true }, // 4 channels per group, as 256 / 32 at full width
      // Anchors of 4·stride (32 px on P3): digits on a 128 px canvas are far smaller than COCO's objects.
      anchor_generator: { octave_base_scale: 4 },
    },
  },
  optim_wrapper: { optimizer: { lr: 0.01 } },
});
