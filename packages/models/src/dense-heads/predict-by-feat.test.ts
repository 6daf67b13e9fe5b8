import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type DetDataSample } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { AnchorGenerator } from '../task-utils/anchor-generator.js';
import { DeltaXYWHBBoxCoder } from '../task-utils/delta-xywh-bbox-coder.js';
import { denseTestCfgSchema } from './dense-head-cfg.js';
import { predictByFeat, type DenseHeadOutputs } from './predict-by-feat.js';

beforeAll(async () => {
  await initBackend('wasm');
}, 60_000);

// One level of 2×2 locations, stride 8, side-16 anchors centred on (8x, 8y):
// 0: [-8, -8, 8, 8], 1: [0, -8, 16, 8], 2: [-8, 0, 8, 16], 3: [0, 0, 16, 16].
const anchorGenerator = new AnchorGenerator({ strides: [8], ratios: [1], octave_base_scale: 2, scales_per_octave: 1 });
const bboxCoder = new DeltaXYWHBBoxCoder({ target_stds: [0.1, 0.1, 0.2, 0.2] });
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** A 16×16 input resized from a 32-high, 8-wide original: scale_factor [sx, sy] = [2, 0.5]. */
const SAMPLE: DetDataSample = { metainfo: { ori_shape: [32, 8], img_shape: [16, 16], scale_factor: [2, 0.5] } };

/** Outputs for one image: logits `cls[anchor][class]` (3 classes), zero deltas, centerness logits 0 (σ = 0.5). */
function outputs(cls: number[][]): DenseHeadOutputs {
  return {
    clsScores: [tf.tensor4d(cls.flat(), [1, 2, 2, 3])],
    bboxPreds: [tf.zeros([1, 2, 2, 4])],
    centernesses: [tf.zeros([1, 2, 2, 1])],
  };
}

// Anchor 3 is class 1 (σ(2) ≈ 0.881), anchor 0 class 0 (σ(0) = 0.5), anchor 2 class 1 (σ(1) ≈ 0.731); the rest far below.
const LOW = -10;
const CLS = [
  [0, LOW, LOW],
  [LOW, LOW, LOW],
  [LOW, 1, LOW],
  [LOW, 2, LOW],
];

async function predict(cfg: Record<string, unknown>, rescale: boolean, cls = CLS) {
  const out = outputs(cls);
  const testCfg = denseTestCfgSchema.parse({ nms_pre: 1000, min_bbox_size: 0, score_thr: 0.05, nms: { iou_threshold: 0.6 }, max_per_img: 100, ...cfg });
  const before = tf.memory().numTensors;
  const [result] = await predictByFeat(out, { anchorGenerator, bboxCoder, dataSamples: [SAMPLE], testCfg, rescale });
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose(out);
  return { bboxes: Array.from(result!.bboxes), scores: Array.from(result!.scores), labels: Array.from(result!.labels) };
}

describe('predictByFeat', () => {
  it('scores class probability × centerness, clips to img_shape and sorts by score', async () => {
    const r = await predict({}, false);
    expect(r.labels).toEqual([1, 1, 0]);
    expect(r.scores[0]).toBeCloseTo(sigmoid(2) * 0.5, 6);
    expect(r.scores[1]).toBeCloseTo(sigmoid(1) * 0.5, 6);
    expect(r.scores[2]).toBeCloseTo(0.25, 6);
    // Zero deltas decode to the anchors, clipped to [0, 16]; anchors 2 and 3 overlap by IoU 0.5 < 0.6.
    expect(r.bboxes).toEqual([0, 0, 16, 16, 0, 0, 8, 16, 0, 0, 8, 8]);
  });

  it('with rescale divides x by sx and y by sy, back to the original image', async () => {
    const r = await predict({}, true);
    expect(r.bboxes).toEqual([0, 0, 8, 32, 0, 0, 4, 32, 0, 0, 4, 16]);
  });

  it('thresholds the class probability before the centerness factor', async () => {
    // σ(2) · 0.5 = 0.44 < 0.6, but σ(2) = 0.88 > 0.6 is what score_thr sees.
    const r = await predict({ score_thr: 0.6 }, false);
    expect(r.labels).toEqual([1, 1]);
  });

  it('keeps the nms_pre best candidates per level and max_per_img after NMS', async () => {
    expect((await predict({ nms_pre: 1 }, false)).scores).toHaveLength(1);
    expect((await predict({ max_per_img: 2 }, false)).labels).toEqual([1, 1]);
  });

  it('suppresses overlaps of the same class only, at nms.iou_threshold', async () => {
    // At 0.4, anchor 2 (IoU 0.5 with anchor 3, same class) goes; anchor 0 (class 0) stays.
    const r = await predict({ nms: { iou_threshold: 0.4 } }, false);
    expect(r.labels).toEqual([1, 0]);
  });

  it('drops boxes not wider and taller than min_bbox_size', async () => {
    // The clipped anchor-0 box is 8×8 and anchor 2's 8×16: neither is wider than 8.
    expect((await predict({ min_bbox_size: 8 }, false)).bboxes).toEqual([0, 0, 16, 16]);
  });

  it('returns empty arrays when nothing passes score_thr', async () => {
    const r = await predict({}, true, CLS.map((row) => row.map(() => LOW)));
    expect(r).toEqual({ bboxes: [], scores: [], labels: [] });
  });
});
