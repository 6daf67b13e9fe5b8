// COCO 2017 detection; mirrors mmdet configs/_base_/datasets/coco_detection.py. Expects data/coco/ with
// annotations/instances_{train,val}2017.json and the train2017/ and val2017/ image folders.
import { defineConfig } from '@detlab/core';

const dataset_type = 'CocoDataset';
const data_root = 'data/coco/';
const backend_args = null;

const train_pipeline = [
  { type: 'LoadImageFromFile', backend_args },
  { type: 'LoadAnnotations', with_bbox: true },
  { type: 'Resize', scale: [1333, 800], keep_ratio: true }, // long side ≤ 1333, short side ≤ 800
  { type: 'RandomFlip', prob: 0.5 },
  { type: 'PackDetInputs' },
];
const test_pipeline = [
  { type: 'LoadImageFromFile', backend_args },
  { type: 'Resize', scale: [1333, 800], keep_ratio: true },
  // Loaded after Resize: test boxes stay in original-image pixels, where the metric compares them.
  { type: 'LoadAnnotations', with_bbox: true },
  { type: 'PackDetInputs', meta_keys: ['img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'] },
];

const val_dataloader = {
  batch_size: 1,
  num_workers: 2,
  persistent_workers: true,
  drop_last: false,
  sampler: { type: 'DefaultSampler', shuffle: false },
  dataset: {
    type: dataset_type,
    data_root,
    ann_file: 'annotations/instances_val2017.json',
    data_prefix: { img: 'val2017/' },
    test_mode: true,
    pipeline: test_pipeline,
    backend_args,
  },
};
const val_evaluator = {
  type: 'CocoMetric',
  ann_file: `${data_root}annotations/instances_val2017.json`,
  metric: 'bbox',
  format_only: false,
  backend_args,
};

export default defineConfig({
  dataset_type,
  data_root,
  backend_args,
  train_pipeline,
  test_pipeline,
  train_dataloader: {
    batch_size: 2,
    num_workers: 2,
    persistent_workers: true,
    sampler: { type: 'DefaultSampler', shuffle: true },
    // Batches images of the same orientation (both wider than tall, or both taller), which pads less.
    batch_sampler: { type: 'AspectRatioBatchSampler' },
    dataset: {
      type: dataset_type,
      data_root,
      ann_file: 'annotations/instances_train2017.json',
      data_prefix: { img: 'train2017/' },
      filter_cfg: { filter_empty_gt: true, min_size: 32 },
      pipeline: train_pipeline,
      backend_args,
    },
  },
  val_dataloader,
  test_dataloader: val_dataloader,
  val_evaluator,
  test_evaluator: val_evaluator,
});
