// The COCO student of `atss_kd_coco` without distillation: ATSS ResNet-50 + FPN (256 channels), 80 classes, SGD
// lr 0.01 momentum 0.9, 12 epochs; exactly atss_r50_fpn_1x_coco, named here so the three runs sit side by side.
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: '../atss/atss_r50_fpn_1x_coco.ts',
});
