// The MNIST-Det teacher of `atss_kd`: the tiny ATSS (ResNet-18 at a quarter width + 64-channel FPN + ATSS head) with a
// deeper backbone, ResNet-34 (3-4-6-3 basic blocks), 1.69 M parameters: twice the student's width and 6× its
// parameters, with the same classes and anchors. 3 epochs, ×0.1 before the last, seed 0. `nx run trainer:train
// --config=atss_kd` trains it first when its checkpoint is missing; this config also trains it on its own.
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: '../atss/atss_r18_tiny_mnistdet.ts',
  model: { backbone: { depth: 34 } },
  train_cfg: { max_epochs: 3 },
  param_scheduler: [
    { type: 'LinearLR', start_factor: 0.001, by_epoch: false, begin: 0, end: 250 },
    { type: 'MultiStepLR', begin: 0, end: 3, by_epoch: true, milestones: [2], gamma: 0.1 },
  ],
  randomness: { seed: 0 },
});
