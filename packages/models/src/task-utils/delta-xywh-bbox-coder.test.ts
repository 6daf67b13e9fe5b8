import * as tf from '@tensorflow/tfjs-core';
import { ConfigValidationError, TASK_UTILS } from '@detlab/core';
import { initBackend, maxRelativeError, numericGradient, projectionLoss } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeltaXYWHBBoxCoder } from './delta-xywh-bbox-coder.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** The coder of atss_r50_fpn_1x_coco. */
const ATSS_STDS: [number, number, number, number] = [0.1, 0.1, 0.2, 0.2];
const LN_62_5 = Math.abs(Math.log(16 / 1000)); // ≈ 4.135: the dw/dh clamp

/** Runs `body` and checks it left no tensor behind. */
function noLeak<T>(body: () => T): T {
  const before = tf.memory().numTensors;
  const result = body();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

/** Values of a tensor made by `make`, which is then disposed. */
function values(make: () => tf.Tensor): number[] {
  const t = make();
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

describe('DeltaXYWHBBoxCoder', () => {
  const coder = new DeltaXYWHBBoxCoder({ target_stds: ATSS_STDS });
  // Prior centre (5, 10), size 10 × 20.
  const prior = [0, 0, 10, 20];

  it('decodes by hand: d = delta·std, g_xy = p_xy + p_wh·d_xy, g_wh = p_wh·exp(d_wh)', () => {
    // d = [0.1, −0.05, 0, ln 2] → centre (5 + 10·0.1, 10 − 20·0.05) = (6, 9), size (10, 40).
    const deltas = [1, -0.5, 0, 5 * Math.LN2];
    const boxes = noLeak(() => values(() => tf.tidy(() => coder.decode(tf.tensor2d([prior]), tf.tensor2d([deltas])))));
    expect(maxRelativeError(boxes, [1, -11, 11, 29])).toBeLessThan(1e-6);
    // The same deltas clipped to an image of h 25, w 10: x in [0, 10], y in [0, 25].
    const clipped = values(() => tf.tidy(() => coder.decode(tf.tensor2d([prior]), tf.tensor2d([deltas]), [25, 10])));
    expect(maxRelativeError(clipped, [1, 0, 10, 25])).toBeLessThan(1e-6);
  });

  it('encodes by hand: ((gx − px)/pw, (gy − py)/ph, ln(gw/pw), ln(gh/ph)) / std', () => {
    const deltas = noLeak(() => values(() => tf.tidy(() => coder.encode(tf.tensor2d([prior]), tf.tensor2d([[1, -11, 11, 29]])))));
    expect(maxRelativeError(deltas, [1, -0.5, 0, 5 * Math.LN2])).toBeLessThan(1e-6);
  });

  it('round-trips encode → decode within 1e-5', () => {
    const priors = tf.tidy(() => {
      const xy = tf.randomUniform([64, 2], 0, 50, 'float32', 1);
      return tf.concat([xy, tf.add(xy, tf.randomUniform([64, 2], 4, 40, 'float32', 2))], 1) as tf.Tensor2D;
    });
    const gts = tf.tidy(() => {
      const xy = tf.randomUniform([64, 2], 0, 50, 'float32', 3);
      return tf.concat([xy, tf.add(xy, tf.randomUniform([64, 2], 2, 60, 'float32', 4))], 1) as tf.Tensor2D;
    });
    for (const c of [coder, new DeltaXYWHBBoxCoder({ target_means: [0.1, -0.2, 0.05, 0], target_stds: [0.5, 2, 1, 0.3] })]) {
      const decoded = values(() => tf.tidy(() => c.decode(priors, c.encode(priors, gts))));
      expect(maxRelativeError(decoded, gts.dataSync())).toBeLessThan(1e-5);
    }
    tf.dispose([priors, gts]);
  });

  it('clamps dw and dh to ±|ln(16/1000)|: a box at most 62.5× larger or smaller than its prior', () => {
    const plain = new DeltaXYWHBBoxCoder();
    // Square prior of side 10 at (5, 5); dw = +100 → w = 10·62.5 = 625, dh = −100 → h = 10/62.5 = 0.16.
    const box = values(() => tf.tidy(() => plain.decode(tf.tensor2d([[0, 0, 10, 10]]), tf.tensor2d([[0, 0, 100, -100]]))));
    expect(maxRelativeError(box, [5 - 312.5, 5 - 0.08, 5 + 312.5, 5 + 0.08], 1)).toBeLessThan(1e-5);
    expect(Math.log((box[2]! - box[0]!) / 10)).toBeCloseTo(LN_62_5, 4);
  });

  it('with add_ctr_clamp limits the centre shift to ctr_clamp pixels and dw, dh only from above', () => {
    const clamped = new DeltaXYWHBBoxCoder({ add_ctr_clamp: true, ctr_clamp: 32 });
    // dx = 100 moves the centre by 10·100 = 1000 px, clamped to 32; dw = −100 is not clamped below: width ≈ 0.
    const box = values(() => tf.tidy(() => clamped.decode(tf.tensor2d([[0, 0, 10, 10]]), tf.tensor2d([[100, 0, -100, 0]]))));
    expect(box.map((v) => Number(v.toFixed(4)))).toEqual([37, 0, 37, 10]);
  });

  it('decodes k boxes per prior from [N, 4k] deltas, each against the same prior', () => {
    const deltas = [1, -0.5, 0, 5 * Math.LN2, 0, 0, 0, 0];
    const boxes = values(() => tf.tidy(() => coder.decode(tf.tensor2d([prior]), tf.tensor2d([deltas]))));
    expect(maxRelativeError(boxes, [1, -11, 11, 29, ...prior])).toBeLessThan(1e-6);
  });

  it('handles zero priors', () => {
    const shape = noLeak(() => {
      const out = tf.tidy(() => coder.decode(tf.zeros([0, 4]) as tf.Tensor2D, tf.zeros([0, 4]) as tf.Tensor2D, [10, 10]));
      const s = out.shape;
      out.dispose();
      return s;
    });
    expect(shape).toEqual([0, 4]);
  });

  it('gives decode gradients w.r.t. the deltas that match finite differences on wasm, clipped boxes included', () => {
    const priors = tf.tensor2d([
      [0, 0, 10, 20],
      [4, 6, 12, 10],
      [20, 2, 30, 28],
      [1, 1, 3, 3],
    ]);
    // Row 2 sits near the image border (w 32), so its x2 is clipped; row 3's dw is clamped (zero gradient).
    const deltas = tf.tensor2d([
      [0.5, -0.3, 0.4, -0.2],
      [-1.2, 0.8, -0.6, 0.9],
      [2.0, 0.1, 1.5, 0.3],
      [0.3, -0.2, 30, 0.1],
    ]);
    const loss = (d: tf.Tensor) => projectionLoss(coder.decode(priors, d as tf.Tensor2D, [30, 32]));
    const analytic = tf.grad(loss)(deltas);
    const numeric = numericGradient(loss, deltas, 1e-3);
    expect(maxRelativeError(analytic.dataSync(), numeric, 1)).toBeLessThan(2e-3);
    // The clamped dw (row 3, column 2) gets no gradient, as torch's clamp.
    expect(analytic.dataSync()[14]).toBe(0);
    tf.dispose([priors, deltas, analytic]);
  });

  it('is built from TASK_UTILS with the ATSS config', () => {
    const built = TASK_UTILS.build<DeltaXYWHBBoxCoder>({ type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: ATSS_STDS });
    expect(built.options).toEqual({ target_means: [0, 0, 0, 0], target_stds: ATSS_STDS, clip_border: true, add_ctr_clamp: false, ctr_clamp: 32 });
  });

  it('rejects target_stds that are not four positive numbers, naming the key', () => {
    const build = (stds: unknown) => () => TASK_UTILS.build({ type: 'DeltaXYWHBBoxCoder', target_stds: stds }, { path: 'bbox_coder' });
    expect(build([0.1, 0.1, 0.2])).toThrow(ConfigValidationError);
    expect(build([0.1, 0.1, 0.2])).toThrow(/bbox_coder\.target_stds/);
    expect(build([0.1, 0.1, 0.2, 0])).toThrow(/bbox_coder\.target_stds: expected 4 positive numbers/);
  });

  it('rejects deltas that do not have one row per prior', () => {
    const run = () => tf.tidy(() => coder.decode(tf.zeros([3, 4]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D));
    expect(run).toThrow('DeltaXYWHBBoxCoder.decode: expected deltas of shape [3, 4k] (one row per prior), got [2, 4]');
  });
});
