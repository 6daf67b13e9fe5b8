/**
 * configs/_base_/datasets/mnist_det.ts stays consistent with the classes this package registers.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Config, validateConfig } from '@detlab/core';
import '../index.js';

const file = fileURLToPath(new URL('../../../../configs/_base_/datasets/mnist_det.ts', import.meta.url));

describe('configs/_base_/datasets/mnist_det.ts', () => {
  it('validates against the registered datasets, transforms, samplers and metric', async () => {
    const cfg = await Config.fromFile(file);
    expect(validateConfig(cfg.data)).toEqual([]);
    expect(cfg.get('train_dataloader.dataset.type')).toBe('MnistDetDataset');
    expect(cfg.get('train_dataloader.dataset.metainfo.classes')).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });
});
