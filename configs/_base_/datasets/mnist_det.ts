// MNIST-Det, the embedded default dataset: handwritten digits on 128x128 canvases, COCO format, 10 classes.
// MnistDetDataset is CocoDataset plus making the data on first use under data/mnist_det/ (default options, ~10 s);
// `nx run tools:make-mnist-det` makes it ahead of time, or with other sizes.
import { defineConfig } from '@detlab/core';

const data_root = 'data/mnist_det/';
const classes = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const train_pipeline = [
  { type: 'LoadImageFromFile' },
  { type: 'LoadAnnotations', with_bbox: true },
  { type: 'Resize', scale: [128, 128], keep_ratio: true },
  { type: 'RandomFlip', prob: 0.0 }, // digits are not mirror-symmetric
  { type: 'PackDetInputs' },
];
const test_pipeline = [
  { type: 'LoadImageFromFile' },
  { type: 'Resize', scale: [128, 128], keep_ratio: true },
  { type: 'LoadAnnotations', with_bbox: true },
  { type: 'PackDetInputs', meta_keys: ['img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'] },
];

const val_dataloader = {
  batch_size: 8,
  num_workers: 2,
  sampler: { type: 'DefaultSampler', shuffle: false },
  dataset: {
    type: 'MnistDetDataset',
    data_root,
    metainfo: { classes },
    ann_file: 'annotations/val.json',
    data_prefix: { img: 'val/' },
    test_mode: true,
    pipeline: test_pipeline,
  },
};

const val_evaluator = { type: 'CocoMetric', ann_file: `${data_root}annotations/val.json`, metric: 'bbox' };

export default defineConfig({
  dataset_type: 'MnistDetDataset',
  data_root,
  train_dataloader: {
    batch_size: 8,
    num_workers: 2,
    sampler: { type: 'DefaultSampler', shuffle: true },
    dataset: {
      type: 'MnistDetDataset',
      data_root,
      metainfo: { classes },
      ann_file: 'annotations/train.json',
      data_prefix: { img: 'train/' },
      filter_cfg: { filter_empty_gt: true, min_size: 4 },
      pipeline: train_pipeline,
    },
  },
  val_dataloader,
  test_dataloader: val_dataloader, // MMDetection's convention: test on the val split
  val_evaluator,
  test_evaluator: val_evaluator,
});
