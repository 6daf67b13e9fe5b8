// ATSS with ResNet-50 + FPN (the model of atss_r50_fpn_1x_coco.ts) on MNIST-Det, 10 classes; the student of
// ../distill/atss_kd.ts.
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: [
    '../_base_/models/atss_r50_fpn.ts',
    '../_base_/datasets/mnist_det.ts',
    '../_base_/schedules/schedule_1x.ts',
    '../_base_/default_runtime.ts',
  ],
  model: { bbox_head: { num_classes: 10 } },
  // ATSS trains at lr 0.01, below schedule_1x's 0.02; only the optimizer's lr changes.
  optim_wrapper: { optimizer: { lr: 0.01 } },
});
