// The COCO teacher of `atss_kd_coco`: ATSS ResNet-101 + FPN, mmdet's atss_r101_fpn_1x_coco (41.5 box AP reported
// upstream), i.e. atss_r50_fpn_1x_coco with a 101-layer backbone initialised from torchvision's ImageNet weights
// (convert resnet101-63fe2227.pth with tools/convert-pth.py into checkpoints/resnet101_torchvision.safetensors).
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: '../atss/atss_r50_fpn_1x_coco.ts',
  model: {
    backbone: { depth: 101, init_cfg: { type: 'Pretrained', checkpoint: 'checkpoints/resnet101_torchvision.safetensors' } },
  },
});
