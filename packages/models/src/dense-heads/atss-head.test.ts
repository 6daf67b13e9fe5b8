import * as tf from '@tensorflow/tfjs-core';
import { ConfigValidationError, MODELS } from '@detlab/core';
import { initBackend, initWeights, setSeed, type DetDataSample } from '@detlab/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATSSHead, type ATSSHeadOptions } from './atss-head.js';

beforeAll(async () => {
  await initBackend('wasm');
  setSeed(0);
}, 60_000);

afterAll(() => setSeed(undefined));

const TRAIN_CFG = { assigner: { type: 'ATSSAssigner', topk: 4 }, allowed_border: -1, pos_weight: -1, debug: false };

/** A small head; by default one level (stride 8) of side-16 anchors, as in atss-targets.test.ts. */
function head(overrides: Partial<ATSSHeadOptions> = {}): ATSSHead {
  return new ATSSHead({
    num_classes: 3,
    in_channels: 8,
    feat_channels: 8,
    stacked_convs: 2,
    norm_cfg: { type: 'GN', num_groups: 4 },
    anchor_generator: { type: 'AnchorGenerator', ratios: [1], octave_base_scale: 2, scales_per_octave: 1, strides: [8] },
    bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [0.1, 0.1, 0.2, 0.2] },
    loss_cls: { type: 'FocalLoss', use_sigmoid: true, gamma: 2.0, alpha: 0.25, loss_weight: 1.0 },
    train_cfg: TRAIN_CFG,
    ...overrides,
  });
}

function sample(boxes: number[] = [], labels: number[] = []): DetDataSample {
  return {
    gt_instances: { bboxes: Float32Array.from(boxes), labels: Int32Array.from(labels) },
    metainfo: { ori_shape: [32, 32], img_shape: [32, 32], scale_factor: [1, 1], pad_shape: [32, 32], batch_input_shape: [32, 32] },
  };
}

/** Prediction convs with zero weights: every anchor gets cls logit `clsBias`, deltas 0 (the anchor itself) and centerness logit 0. */
function constantPredictions(h: ATSSHead, clsBias: number): void {
  for (const conv of [h.atssCls, h.atssReg, h.atssCenterness]) {
    conv.weight.assign(tf.zerosLike(conv.weight));
    conv.bias!.assign(tf.fill(conv.bias!.shape, conv === h.atssCls ? clsBias : 0));
  }
}

const values = (losses: Record<string, tf.Scalar>) => Object.fromEntries(Object.entries(losses).map(([k, v]) => [k, v.dataSync()[0]!]));

describe('ATSSHead', () => {
  it("names its parameters as mmdet's ATSSHead state dict", () => {
    const h = head({ anchor_generator: { type: 'AnchorGenerator', ratios: [1], octave_base_scale: 8, scales_per_octave: 1, strides: [8, 16] } });
    const tower = (name: string) => [0, 1].flatMap((i) => [`${name}.${i}.conv.weight`, `${name}.${i}.gn.weight`, `${name}.${i}.gn.bias`]);
    expect(h.namedParameters().map(([n]) => n).sort()).toEqual(
      [
        ...tower('cls_convs'),
        ...tower('reg_convs'),
        'atss_cls.weight', 'atss_cls.bias', 'atss_reg.weight', 'atss_reg.bias', 'atss_centerness.weight', 'atss_centerness.bias',
        'scales.0.scale', 'scales.1.scale',
      ].sort(),
    );
    h.dispose();
  });

  it('outputs A·C class logits, A·4 deltas and A centerness logits per level at the input size', () => {
    const h = head({ anchor_generator: { type: 'AnchorGenerator', ratios: [0.5, 1, 2], scales: [8], strides: [8, 16] } });
    const feats = [tf.zeros([2, 8, 6, 8]), tf.zeros([2, 4, 3, 8])] as tf.Tensor4D[];
    const out = h.forward(feats);
    expect(out.clsScores.map((t) => t.shape)).toEqual([[2, 8, 6, 9], [2, 4, 3, 9]]);
    expect(out.bboxPreds.map((t) => t.shape)).toEqual([[2, 8, 6, 12], [2, 4, 3, 12]]);
    expect(out.centernesses.map((t) => t.shape)).toEqual([[2, 8, 6, 3], [2, 4, 3, 3]]);
    expect(() => h.forward([feats[0]!])).toThrow('ATSSHead.forward: expected 2 feature maps (one per anchor_generator stride), got 1');
    tf.dispose([feats, out]);
    h.dispose();
  });

  it('initialises every conv Normal(0, 0.01) with bias 0, and atss_cls bias to −log(0.99/0.01) ≈ −4.595', async () => {
    const h = head({ in_channels: 64, feat_channels: 64, norm_cfg: { type: 'GN', num_groups: 32 } });
    await initWeights(h);
    expect(Array.from(h.atssCls.bias!.dataSync()).every((b) => Math.abs(b + 4.59512) < 1e-4)).toBe(true);
    expect(Array.from(h.atssReg.bias!.dataSync()).every((b) => b === 0)).toBe(true);
    const w = Array.from(h.clsConvs.at(0).conv.weight.dataSync()); // 3·3·64·64 draws
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const std = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length);
    expect(std).toBeGreaterThan(0.0095);
    expect(std).toBeLessThan(0.0105);
    expect(Array.from(h.scales.at(0).scale.dataSync())).toEqual([1]);
    h.dispose();
  });

  it('computes the losses of a hand-made batch: 4 positives on image 0, negatives only on image 1 (avg_factor 5)', () => {
    const h = head();
    const p = 0.01; // σ(−log 99): the prior probability every anchor gets with cls bias −4.595
    constantPredictions(h, -Math.log(99));
    const feats = [tf.randomNormal([2, 4, 4, 8])] as tf.Tensor4D[];
    const before = tf.memory().numTensors;
    const losses = h.loss(feats, [sample([4, 4, 20, 20], [2]), sample()]);
    const got = values(losses);
    tf.dispose(Object.values(losses));
    expect(tf.memory().numTensors).toBe(before);

    // Focal loss, α = 0.25, γ = 2, over 2 images × 16 anchors × 3 classes, 4 of them positive.
    const positive = -0.25 * (1 - p) ** 2 * Math.log(p);
    const negative = -0.75 * p ** 2 * Math.log(1 - p);
    expect(got.loss_cls).toBeCloseTo((4 * positive + (32 * 3 - 4) * negative) / 5, 5);
    // Zero deltas decode to the anchors: [0, 0, 16, 16] vs GT [4, 4, 20, 20] has IoU 144/368, enclosing area 400,
    // so GIoU = 144/368 − 32/400; 2.0 × Σ(⅓ · (1 − GIoU)) / Σ⅓ = 2 (1 − GIoU).
    expect(got.loss_bbox).toBeCloseTo(2 * (1 - (144 / 368 - 32 / 400)), 5);
    // BCE(logit 0, ⅓) = log 2 for each positive, over avg_factor 5.
    expect(got.loss_centerness).toBeCloseTo((4 * Math.LN2) / 5, 5);
    tf.dispose(feats);
    h.dispose();
  });

  it('trains a batch with no GT at all: finite focal loss, zero box and centerness losses, zero (not missing) regression gradients', () => {
    const h = head();
    const feats = [tf.randomNormal([2, 4, 4, 8])] as tf.Tensor4D[];
    const got = values(h.loss(feats, [sample(), sample()]));
    expect(Number.isFinite(got.loss_cls)).toBe(true);
    expect(got.loss_cls).toBeGreaterThan(0);
    expect(Math.abs(got.loss_bbox)).toBe(0); // Σ(deltas) · 0, which may be −0
    expect(Math.abs(got.loss_centerness)).toBe(0);
    const { value, grads } = tf.variableGrads(() => tf.addN(Object.values(h.loss(feats, [sample(), sample()]))) as tf.Scalar, h.trainableVariables());
    const regGrad = grads[h.atssReg.weight.name]!;
    expect(regGrad).toBeDefined();
    expect(Math.max(...Array.from(regGrad.dataSync(), Math.abs))).toBe(0);
    tf.dispose([value, ...Object.values(grads), feats]);
    h.dispose();
  });

  it('needs train_cfg for loss and test_cfg for predict, and says how to give them', async () => {
    const h = head({ train_cfg: null });
    const feats = [tf.zeros([1, 4, 4, 8])] as tf.Tensor4D[];
    expect(() => h.loss(feats, [sample()])).toThrow("ATSSHead.loss: no train_cfg, so no assigner was built\n  Give the detector a train_cfg");
    await expect(h.predict(feats, [sample()])).rejects.toThrow('ATSSHead.predict: no test_cfg');
    tf.dispose(feats);
    h.dispose();
  });

  it('reports bad options with their config path', () => {
    const build = (cfg: Record<string, unknown>) => () =>
      MODELS.build({ type: 'ATSSHead', num_classes: 3, in_channels: 8, ...cfg }, { path: 'model.bbox_head' });
    expect(build({ loss_cls: { type: 'CrossEntropyLoss' } })).toThrow(ConfigValidationError);
    expect(build({ loss_cls: { type: 'CrossEntropyLoss' } })).toThrow('model.bbox_head.loss_cls.use_sigmoid: ATSSHead classifies with sigmoids');
    expect(build({ num_classes: 0 })).toThrow('model.bbox_head.num_classes: expected > 0, got 0');
    expect(build({ feat_channels: 48 })).toThrow('model.bbox_head.norm_cfg.num_groups: expected a divisor of feat_channels (48), got 32');
    expect(build({ anchor_generator: { type: 'AnchorGenerator', strides: [8], ratios: [1] } })).toThrow('model.bbox_head.anchor_generator.scales');
  });
});
