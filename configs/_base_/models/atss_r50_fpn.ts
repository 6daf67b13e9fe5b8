// The ATSS R-50 FPN model of mmdet configs/atss/atss_r50_fpn_1x_coco.py (80 COCO classes), kept here as a model
// base so the COCO, MNIST-Det and tiny CPU configs share it (mmdet writes it inline in the one COCO config).
//
// The backbone starts from torchvision's ImageNet ResNet-50. detlab downloads nothing and reads only
// safetensors, so `torchvision://resnet50` becomes a local file, converted once with tools/convert-pth.py:
//   python3 tools/convert-pth.py resnet50-0676ba61.pth checkpoints/resnet50_torchvision.safetensors
// (resnet50-0676ba61.pth is the file torchvision://resnet50 names; fc.* are reported as unused and skipped).
import { defineConfig } from '@detlab/core';

export default defineConfig({
  model: {
    type: 'ATSS',
    data_preprocessor: {
      type: 'DetDataPreprocessor',
      // ImageNet statistics in RGB order; images load as BGR and are swapped first.
      mean: [123.675, 116.28, 103.53],
      std: [58.395, 57.12, 57.375],
      bgr_to_rgb: true,
      pad_size_divisor: 32,
    },
    backbone: {
      type: 'ResNet',
      depth: 50,
      num_stages: 4,
      out_indices: [0, 1, 2, 3],
      frozen_stages: 1,
      norm_cfg: { type: 'BN', requires_grad: true },
      norm_eval: true,
      style: 'pytorch',
      init_cfg: { type: 'Pretrained', checkpoint: 'checkpoints/resnet50_torchvision.safetensors' },
    },
    neck: {
      type: 'FPN',
      in_channels: [256, 512, 1024, 2048],
      out_channels: 256,
      start_level: 1,
      add_extra_convs: 'on_output',
      num_outs: 5,
    },
    bbox_head: {
      type: 'ATSSHead',
      num_classes: 80,
      in_channels: 256,
      stacked_convs: 4,
      feat_channels: 256,
      // One square anchor of side 8·stride per location: 64 px on P3 up to 1024 px on P7.
      anchor_generator: { type: 'AnchorGenerator', ratios: [1.0], octave_base_scale: 8, scales_per_octave: 1, strides: [8, 16, 32, 64, 128] },
      bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0.0, 0.0, 0.0, 0.0], target_stds: [0.1, 0.1, 0.2, 0.2] },
      loss_cls: { type: 'FocalLoss', use_sigmoid: true, gamma: 2.0, alpha: 0.25, loss_weight: 1.0 },
      loss_bbox: { type: 'GIoULoss', loss_weight: 2.0 },
      loss_centerness: { type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 },
    },
    // Handed to bbox_head by the detector, as in mmdet.
    train_cfg: { assigner: { type: 'ATSSAssigner', topk: 9 }, allowed_border: -1, pos_weight: -1, debug: false },
    test_cfg: { nms_pre: 1000, min_bbox_size: 0, score_thr: 0.05, nms: { type: 'nms', iou_threshold: 0.6 }, max_per_img: 100 },
  },
});
