// ATSS, ResNet-50 + FPN, 12 epochs on COCO 2017: mmdet configs/atss/atss_r50_fpn_1x_coco.py (39.4 box AP
// reported upstream). The model is in ../_base_/models/atss_r50_fpn.ts; resolved, this config equals mmdet's,
// except that the backbone's Pretrained checkpoint is a local safetensors file (see that base).
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: [
    '../_base_/models/atss_r50_fpn.ts',
    '../_base_/datasets/coco_detection.ts',
    '../_base_/schedules/schedule_1x.ts',
    '../_base_/default_runtime.ts',
  ],
  // ATSS trains at lr 0.01, below schedule_1x's 0.02; only the optimizer's lr changes.
  optim_wrapper: { optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 0.0001 } },
});
