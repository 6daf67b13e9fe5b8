import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { initBackend } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { PKDLoss, normalizePerChannel } from './pkd-loss.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** [1, 1, 4, 1] from four values: one channel, four positions. */
const map = (values: number[]) => tf.tensor4d(values, [1, 1, values.length, 1]);

describe('PKDLoss', () => {
  it('normalises each channel by its mean and Bessel-corrected std', () => {
    // [1, 2, 3, 4]: mean 2.5, unbiased std sqrt(5/3) = 1.290994
    const n = normalizePerChannel(map([1, 2, 3, 4]));
    const s = Math.sqrt(5 / 3) + 1e-6;
    const expected = [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s];
    n.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('is (1 − r)·(n − 1)/n for one channel, by hand', () => {
    // S = [1, 2, 3, 4], T = [1, 3, 2, 4]: Pearson r = 0.8; mean((ŝ − t̂)²) = 2(n−1)/n·(1 − r) = 2·0.75·0.2 = 0.3; /2 → 0.15
    const loss = new PKDLoss().forward(map([1, 2, 3, 4]), map([1, 3, 2, 4]));
    expect(loss.dataSync()[0]).toBeCloseTo(0.15, 5);
  });

  it("declares MMRazor's forward argument names for loss_forward_mappings", () => {
    expect(PKDLoss.forwardArgs).toEqual(['preds_S', 'preds_T']);
  });

  it('sums the pairs of a list and applies loss_weight', () => {
    const pkd = MODELS.build<PKDLoss>({ type: 'example.PKDLoss', loss_weight: 6 });
    const loss = pkd.forward([map([1, 2, 3, 4]), map([1, 2, 3, 4])], [map([1, 3, 2, 4]), map([4, 3, 2, 1])]);
    // second pair: r = −1 → mean((ŝ − t̂)²) = 2·0.75·2 = 3; /2 → 1.5. Total (0.15 + 1.5)·6 = 9.9
    expect(loss.dataSync()[0]).toBeCloseTo(9.9, 4);
  });

  it('ignores the scale and shift of the teacher (only the correlation matters)', () => {
    const pkd = new PKDLoss();
    const s = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 5) as tf.Tensor4D;
    const t = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 6) as tf.Tensor4D;
    const a = pkd.forward(s, t).dataSync()[0]!;
    const b = pkd.forward(s, tf.add(tf.mul(t, 7), 3) as tf.Tensor4D).dataSync()[0]!;
    expect(b).toBeCloseTo(a, 4);
    expect(pkd.forward(s, s).dataSync()[0]).toBeCloseTo(0, 5);
  });

  it('passes no gradient to the teacher', () => {
    const s = tf.randomNormal([1, 2, 2, 2], 0, 1, 'float32', 7) as tf.Tensor4D;
    const t = tf.randomNormal([1, 2, 2, 2], 0, 1, 'float32', 8) as tf.Tensor4D;
    const [ds, dt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => new PKDLoss().forward(a as tf.Tensor4D, b as tf.Tensor4D))([s, t]);
    expect(tf.sum(tf.abs(ds!)).dataSync()[0]).toBeGreaterThan(0);
    expect(tf.sum(tf.abs(dt!)).dataSync()[0]).toBe(0);
  });

  it('takes the five levels of an FPN output list, each of its own size', () => {
    const levels = (seed: number) => [16, 8, 4, 2, 1].map((size, i) => tf.randomNormal([2, size, size, 4], 0, 1, 'float32', seed + i) as tf.Tensor4D);
    const s = levels(10);
    const pkd = new PKDLoss();
    const perLevel = s.map((level, i) => pkd.forward(level, levels(20)[i]!).dataSync()[0]!);
    expect(pkd.forward(s, levels(20)).dataSync()[0]).toBeCloseTo(perLevel.reduce((a, b) => a + b), 4);
  });

  it('names both counts when the lists differ in length', () => {
    const level = tf.ones([1, 2, 2, 3]) as tf.Tensor4D;
    expect(() => new PKDLoss().forward([level, level], [level])).toThrow('expected as many student as teacher feature maps (at least one), got 2 and 1');
  });

  it('resizes the student to the teacher size', () => {
    const loss = new PKDLoss().forward(tf.ones([1, 2, 2, 3]) as tf.Tensor4D, tf.randomNormal([1, 4, 4, 3], 0, 1, 'float32', 9) as tf.Tensor4D);
    expect(loss.shape).toEqual([]);
  });

  it('names both shapes when channels differ', () => {
    expect(() => new PKDLoss().forward(tf.ones([1, 2, 2, 3]) as tf.Tensor4D, tf.ones([1, 2, 2, 4]) as tf.Tensor4D)).toThrow(
      'PKDLoss.forward: feature pair 0 has student [1, 2, 2, 3] and teacher [1, 2, 2, 4]',
    );
  });
});
