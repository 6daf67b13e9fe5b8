import { describe, expect, it } from 'vitest';
import { DATASETS } from '@detlab/core';
import { tempDir } from '../__fixtures__/images.js';
import '../transforms/index.js';
import { ensureMnistDet } from './ensure-mnist-det.js';
import './mnist-det-dataset.js';
import type { MnistDetDataset } from './mnist-det-dataset.js';

describe('MnistDetDataset', { timeout: 60_000 }, () => {
  it('loads a made MNIST-Det as COCO: labels 0..9 for category ids 1..10, pipelines run', async () => {
    const root = tempDir();
    await ensureMnistDet(root, { num_train: 6, num_val: 2 });
    const ds = DATASETS.build<MnistDetDataset>({
      type: 'MnistDetDataset',
      data_root: root,
      ann_file: 'annotations/train.json',
      data_prefix: { img: 'train/' },
      metainfo: { classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] },
      pipeline: [{ type: 'LoadImageFromFile' }, { type: 'LoadAnnotations' }, { type: 'Resize', scale: [128, 128], keep_ratio: true }, { type: 'PackDetInputs' }],
    });
    expect(ds.length).toBe(6);
    expect(ds.catIds).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const { input, data_sample: s } = await ds.get(0);
    expect(input.shape).toEqual([128, 128, 3]);
    expect(s.gt_instances!.labels.length).toBeGreaterThan(0);
    expect(ds.config).toMatchObject({ type: 'MnistDetDataset', data_root: root });
  });
});
