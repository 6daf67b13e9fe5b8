import * as tf from '@tensorflow/tfjs-core';
import { ConfigValidationError, MODELS } from '@detlab/core';
import { initBackend, setSeed } from '@detlab/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticBatch } from '../__fixtures__/synthetic-boxes.js';
import '../index.js';
import type { ATSSHead } from '../dense-heads/atss-head.js';
import type { ATSS } from './atss.js';

beforeAll(async () => {
  await initBackend('wasm');
  setSeed(1);
}, 60_000);

afterAll(() => setSeed(undefined));

/** A narrow ATSS for 64×64 inputs, 3 classes. */
function model(overrides: { bbox_head?: Record<string, unknown>; [key: string]: unknown } = {}) {
  const { bbox_head: head = {}, ...rest } = overrides;
  return {
    type: 'ATSS',
    data_preprocessor: { type: 'DetDataPreprocessor', mean: [127, 127, 127], std: [64, 64, 64], bgr_to_rgb: true, pad_size_divisor: 32 },
    backbone: { type: 'ResNet', depth: 18, base_channels: 8, norm_eval: false },
    neck: { type: 'FPN', in_channels: [8, 16, 32, 64], out_channels: 16, start_level: 1, add_extra_convs: 'on_output', num_outs: 5 },
    bbox_head: {
      type: 'ATSSHead',
      num_classes: 3,
      in_channels: 16,
      feat_channels: 16,
      stacked_convs: 1,
      norm_cfg: { type: 'GN', num_groups: 4 },
      anchor_generator: { type: 'AnchorGenerator', ratios: [1.0], octave_base_scale: 4, scales_per_octave: 1, strides: [8, 16, 32, 64, 128] },
      bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_stds: [0.1, 0.1, 0.2, 0.2] },
      loss_cls: { type: 'FocalLoss', use_sigmoid: true, gamma: 2.0, alpha: 0.25, loss_weight: 1.0 },
      ...head,
    },
    train_cfg: { assigner: { type: 'ATSSAssigner', topk: 9 }, allowed_border: -1, pos_weight: -1, debug: false },
    test_cfg: { nms_pre: 1000, min_bbox_size: 0, score_thr: 0.0, nms: { type: 'nms', iou_threshold: 0.6 }, max_per_img: 20 },
    ...rest,
  };
}

const batch = syntheticBatch(
  [
    [{ box: [4, 6, 30, 28], label: 0 }],
    [], // an image without objects trains as negatives
  ],
  64,
);

describe('ATSS', () => {
  it('builds backbone, neck and head from MODELS, handing train_cfg and test_cfg to the head', () => {
    const atss = MODELS.build<ATSS>(model(), { path: 'model' });
    expect(atss.namedChildren().map(([name]) => name)).toEqual(['data_preprocessor', 'backbone', 'neck', 'bbox_head']);
    const head = atss.bboxHead as ATSSHead;
    expect(head.trainCfg?.assigner).toEqual({ type: 'ATSSAssigner', topk: 9 });
    expect(head.testCfg?.max_per_img).toBe(20);
    expect(atss.namedParameters().some(([name]) => name === 'bbox_head.atss_cls.bias')).toBe(true);
    atss.dispose();
  });

  it('extracts one feature map per anchor level, at strides 8 to 128', () => {
    const atss = MODELS.build<ATSS>(model(), { path: 'model' });
    const x = tf.zeros([1, 64, 64, 3]) as tf.Tensor4D;
    const feats = atss.extractFeat(x);
    expect(feats.map((f) => f.shape)).toEqual([[1, 8, 8, 16], [1, 4, 4, 16], [1, 2, 2, 16], [1, 1, 1, 16], [1, 1, 1, 16]]);
    tf.dispose([x, ...feats]);
    atss.dispose();
  });

  it('returns loss_cls, loss_bbox and loss_centerness as finite scalars and leaves no tensor behind', async () => {
    const atss = MODELS.build<ATSS>(model(), { path: 'model' });
    await atss.initWeights();
    const before = tf.memory().numTensors;
    const losses = atss.loss(batch);
    expect(Object.keys(losses).sort()).toEqual(['loss_bbox', 'loss_centerness', 'loss_cls']);
    for (const loss of Object.values(losses)) {
      expect(loss.rank).toBe(0);
      expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    }
    tf.dispose(Object.values(losses));
    expect(tf.memory().numTensors).toBe(before);
    atss.dispose();
  });

  it('predicts per image in original-image pixels: the img_shape boxes divided by scale_factor', async () => {
    const atss = MODELS.build<ATSS>(model(), { path: 'model' });
    await atss.initWeights();
    atss.eval();
    // Both images were resized from a 128-wide, 32-high original: scale_factor [sx, sy] = [0.5, 2].
    const rescaled = { ...batch, data_samples: batch.data_samples.map((s) => ({ ...s, metainfo: { ...s.metainfo, ori_shape: [32, 128] as [number, number], scale_factor: [0.5, 2] as [number, number] } })) };
    const before = tf.memory().numTensors;
    const inImage = await atss.predict(rescaled, { rescale: false });
    const inOriginal = await atss.predict(rescaled);
    expect(tf.memory().numTensors).toBe(before);
    expect(inOriginal).toHaveLength(2);
    for (const [i, p] of inOriginal.entries()) {
      expect(p.scores.length).toBeGreaterThan(0);
      expect(p.scores.length).toBeLessThanOrEqual(20);
      expect(Array.from(p.scores)).toEqual(Array.from(p.scores).sort((a, b) => b - a));
      const expected = Array.from(inImage[i]!.bboxes, (v, k) => v / (k % 2 === 0 ? 0.5 : 2));
      Array.from(p.bboxes).forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 3));
    }
    atss.dispose();
  });

  it('reports an unknown key and a bad num_classes with their config paths, before building anything', () => {
    const build = (cfg: Record<string, unknown>) => () => MODELS.build(cfg, { path: 'model' });
    expect(build(model({ bbox_head: { num_clases: 3 } }))).toThrow(ConfigValidationError);
    expect(build(model({ bbox_head: { num_clases: 3 } }))).toThrow("model.bbox_head.num_clases: unknown key. Did you mean 'num_classes'?");
    expect(build(model({ bbox_head: { num_classes: 2.5 } }))).toThrow('model.bbox_head.num_classes: expected int, got 2.5');
    expect(build(model({ train_cfg: { assigner: { type: 'ATSSAssigner' } } }))).toThrow('model.train_cfg.assigner.topk: required');
    expect(build(model({ neck: { type: 'FNP' } }))).toThrow("model.neck.type: 'FNP' is not in the detlab::model registry.");
  });
});
