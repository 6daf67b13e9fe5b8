import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS, normalizeConfig } from '@detlab/core';
import { initBackend, saveModule, type Module } from '@detlab/tensor';
import { describe, expect, it } from 'vitest';
import { readPixels, runCli, tempDir, writeDataset } from '../__fixtures__/pictures.js';
import { loadRunConfig } from '../load-run-config.js';
import { testPipeline, toCocoResults } from './predict.js';

describe('predict', () => {
  it('draws every image of the folder and writes COCO results with the test set ids', async () => {
    const root = tempDir();
    const dataset = await writeDataset(root);
    // The tiny ATSS, its test set replaced by the fixture (2 classes), so ids come from the fixture's ann.json.
    const cfgOptions = [
      'model.bbox_head.num_classes=2',
      'env_cfg.backend=wasm',
      `test_dataloader.dataset.type=CocoDataset`,
      `test_dataloader.dataset.data_root=${dataset.data_root}`,
      'test_dataloader.dataset.ann_file=ann.json',
      'test_dataloader.dataset.data_prefix.img=images/',
      "test_dataloader.dataset.metainfo.classes=['cat','dog']",
      "train_dataloader.dataset.metainfo.classes=['cat','dog']",
      "val_dataloader.dataset.metainfo.classes=['cat','dog']",
    ];
    const config = await loadRunConfig({ config: 'atss_r18_tiny_mnistdet', cfgOptions });
    await initBackend('wasm');
    const model = MODELS.build<Module>(normalizeConfig(config.data).config.model, { path: 'model' });
    const checkpoint = join(root, 'weights.safetensors');
    await saveModule(checkpoint, model);
    model.dispose();
    const out = join(root, 'pred');
    const args = ['predict', '--config=atss_r18_tiny_mnistdet', `--checkpoint=${checkpoint}`, `--images=${join(root, 'images')}`, `--out=${out}`, `--work-dir=${join(root, 'work')}`, '--score-thr', '0'];
    const result = await runCli(...args, '--cfg-options', ...cfgOptions);
    expect(result.errors).toEqual([]);
    for (const name of ['a.png', 'b.png']) {
      const png = await readPixels(join(out, name));
      expect([png.width, png.height]).toEqual([256, 192]); // 64×48 enlarged 4× for legible labels
    }
    const results = JSON.parse(readFileSync(join(out, 'results.bbox.json'), 'utf8')) as Array<{ image_id: number; category_id: number; bbox: number[]; score: number }>;
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results.map((r) => r.image_id))).toEqual(new Set([11, 12]));
    for (const r of results) {
      expect([1, 2]).toContain(r.category_id);
      expect(r.bbox).toHaveLength(4);
      expect(r.bbox[2]).toBeGreaterThanOrEqual(0);
    }
  }, 120_000);

  it('converts x1y1x2y2 predictions to COCO [x, y, w, h] results with mapped category ids', () => {
    const prediction = { bboxes: Float32Array.of(10, 20, 50, 60), scores: Float32Array.of(0.75), labels: Int32Array.of(1) };
    expect(toCocoResults(prediction, 7, (label) => [1, 3][label]!)).toEqual([{ image_id: 7, category_id: 3, bbox: [10, 20, 40, 40], score: 0.75 }]);
  });

  it('drops LoadAnnotations from the test pipeline', () => {
    expect(testPipeline([{ type: 'LoadImageFromFile' }, { type: 'LoadAnnotations' }, { type: 'PackDetInputs' }]).map((t) => t.type)).toEqual(['LoadImageFromFile', 'PackDetInputs']);
  });

  it('asks for the checkpoint and the images by their options', async () => {
    const noCkpt = await runCli('predict', '--config=atss_r18_tiny_mnistdet', '--images=x');
    expect(noCkpt.errors[0]).toContain('predict needs weights');
    expect(noCkpt.errors[0]).toContain('--checkpoint=FILE');
    const noImages = await runCli('predict', '--config=atss_r18_tiny_mnistdet', `--checkpoint=${join(tempDir(), 'missing.safetensors')}`, `--images=${join(tempDir(), 'nowhere')}`);
    expect(noImages.errors[0]).toContain('--images:');
    expect(noImages.errors[0]).toContain('does not exist');
    expect(existsSync(join(tempDir(), 'work'))).toBe(false);
  });
});
