/**
 * The ATSS configs under configs/ resolve, build with the registered classes, and agree with their datasets.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { Config, MODELS } from '@detlab/core';
import { initBackend, setSeed } from '@detlab/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticBatch } from '../__fixtures__/synthetic-boxes.js';
import '../index.js';
import type { ATSS } from './atss.js';
import { checkNumClasses } from './check-num-classes.js';

const configs = join(dirname(fileURLToPath(import.meta.url)), '../../../../configs');
const load = (name: string, cfgOptions: string[] = []) => Config.fromFile(join(configs, name), { cfgOptions });

beforeAll(async () => {
  await initBackend('wasm');
  setSeed(2);
}, 60_000);

afterAll(() => setSeed(undefined));

describe('configs/atss', () => {
  it("atss_r50_fpn_1x_coco resolves to mmdet's atss_r50_fpn_1x_coco.py and builds", async () => {
    const cfg = await load('atss/atss_r50_fpn_1x_coco.ts');
    expect(cfg.get('model.bbox_head.num_classes')).toBe(80);
    expect(cfg.get('model.backbone.depth')).toBe(50);
    expect(cfg.get('model.backbone.init_cfg.type')).toBe('Pretrained');
    expect(cfg.get('model.test_cfg')).toEqual({ nms_pre: 1000, min_bbox_size: 0, score_thr: 0.05, nms: { type: 'nms', iou_threshold: 0.6 }, max_per_img: 100 });
    expect(cfg.get('optim_wrapper')).toEqual({ type: 'OptimWrapper', optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 0.0001 } });
    expect(cfg.get('train_dataloader.dataset.pipeline.2')).toEqual({ type: 'Resize', scale: [1333, 800], keep_ratio: true });
    expect(cfg.get('train_dataloader.batch_size')).toBe(2);
    const atss = MODELS.build<ATSS>(cfg.get('model'), { path: 'model' });
    expect(atss.bboxHead.namedParameters().find(([n]) => n === 'atss_cls.weight')?.[1].variable.shape).toEqual([3, 3, 256, 80]);
    atss.dispose();
  }, 60_000);

  it('the MNIST-Det R-50 config differs only in its dataset and 10 classes; the COCO KD config\'s teacher is an R-101', async () => {
    const [mnist, coco] = await Promise.all([load('atss/atss_r50_fpn_1x.ts'), load('atss/atss_r50_fpn_1x_coco.ts')]);
    expect(mnist.get('model.bbox_head.num_classes')).toBe(10);
    expect({ ...(mnist.get('model') as object), bbox_head: undefined }).toEqual({ ...(coco.get('model') as object), bbox_head: undefined });
    expect(checkNumClasses(mnist.data)).toEqual([]);
    expect((await load('distill/atss_kd_coco.ts')).get('model.teacher.backbone.depth')).toBe(101);
  });

  it('the tiny MNIST-Det config builds a model that trains and predicts on 128×128 images', async () => {
    const cfg = await load('atss/atss_r18_tiny_mnistdet.ts');
    expect(checkNumClasses(cfg.data)).toEqual([]);
    expect(cfg.get('model.backbone')).not.toHaveProperty('init_cfg');
    const atss = MODELS.build<ATSS>(cfg.get('model'), { path: 'model' });
    await atss.initWeights();
    const batch = syntheticBatch([[{ box: [10, 20, 50, 70], label: 1 }], [{ box: [60, 60, 100, 120], label: 2 }]], 128);
    const before = tf.memory().numTensors;
    const losses = atss.loss(batch);
    expect(Object.values(losses).every((l) => Number.isFinite(l.dataSync()[0]))).toBe(true);
    tf.dispose(Object.values(losses));
    atss.eval();
    expect(await atss.predict(batch)).toHaveLength(2);
    expect(tf.memory().numTensors).toBe(before);
    atss.dispose();
  }, 60_000);

  it('a num_classes overridden away from the dataset is reported at its config path', async () => {
    const cfg = await load('atss/atss_r18_tiny_mnistdet.ts', ['model.bbox_head.num_classes=80']);
    expect(checkNumClasses(cfg.data)).toEqual([
      { path: 'model.bbox_head.num_classes', message: 'expected 10, the number of train_dataloader.dataset.metainfo.classes, got 80' },
    ]);
  });
});
