// The MNIST-Det teacher of `atss_kd`: the tiny ATSS with a deeper backbone (ResNet-34 at a quarter width: 3-4-6-3
// basic blocks instead of 2-2-2-2, same channels and FPN, so teacher and student heads agree on classes and anchors),
// trained one epoch longer than the student (4 epochs, ×0.1 before the last). `nx run trainer:train --config=atss_kd`
// trains it first when its checkpoint is missing; this config also trains it on its own.
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: '../atss/atss_r18_tiny_mnistdet.ts',
  model: { backbone: { depth: 34 } },
  train_cfg: { max_epochs: 4 },
  param_scheduler: [
    { type: 'LinearLR', start_factor: 0.001, by_epoch: false, begin: 0, end: 250 },
    { type: 'MultiStepLR', begin: 0, end: 4, by_epoch: true, milestones: [3], gamma: 0.1 },
  ],
  randomness: { seed: 0 },
});
