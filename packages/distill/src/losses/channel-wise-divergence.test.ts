import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { initBackend, maxRelativeError, numericGradient } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelWiseDivergence, type ChannelWiseDivergenceOptions } from './channel-wise-divergence.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function run(options: ChannelWiseDivergenceOptions, s: number[], t: number[], shape: [number, number, number, number]): number {
  const loss = new ChannelWiseDivergence(options);
  return tf.tidy(() => loss.forward(tf.tensor4d(s, shape), tf.tensor4d(t, shape)).dataSync()[0]!);
}

/** MMRazor's formula on plain arrays, NHWC input: Σ over (n, c) of KL over the H·W positions, × τ² ÷ (N·C). */
function reference(s: number[], t: number[], [n, h, w, c]: number[], tau: number): number {
  let total = 0;
  for (let i = 0; i < n; i += 1) {
    for (let k = 0; k < c; k += 1) {
      const at = (x: number[]) => Array.from({ length: h! * w! }, (_, p) => x[(i * h! * w! + p) * c! + k]! / tau);
      const [ls, lt] = [logSoftmax(at(s)), logSoftmax(at(t))];
      lt.forEach((l, p) => (total += Math.exp(l) * (l - ls[p]!)));
    }
  }
  return (total * tau * tau) / (n! * c!);
}
function logSoftmax(x: number[]): number[] {
  const m = Math.max(...x);
  const z = Math.log(x.reduce((a, v) => a + Math.exp(v - m), 0)) + m;
  return x.map((v) => v - z);
}

describe('ChannelWiseDivergence', () => {
  it('has MMRazor defaults: tau 1, loss_weight 1', () => {
    expect(MODELS.build<ChannelWiseDivergence>({ type: 'ChannelWiseDivergence' }).options).toEqual({ tau: 1, loss_weight: 1 });
  });

  it('is 0 for equal maps, and a channel uniform over positions adds nothing', () => {
    expect(run({ tau: 2 }, [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], [1, 1, 3, 2])).toBeCloseTo(0, 6);
  });

  it('takes the softmax over positions per channel, not over channels (hand-computed)', () => {
    // NHWC [1, 1, 3, 2]: teacher channel 0 over the 3 positions is [2, 0, 0], channel 1 is [0, 0, 0]; student all 0.
    // Channel 0: p_T = [e², 1, 1] / (e² + 2) = [0.786986, 0.106507, 0.106507] against uniform 1/3:
    //   KL = 0.786986·ln(3·0.786986) + 2·0.106507·ln(3·0.106507) = 0.676073 − 0.243034 = 0.433039.
    // Channel 1: KL 0. τ = 1: (0.433039 + 0) / (N·C = 2) = 0.216520. (Over channels it would be 0.327813 / 2.)
    const [s, t] = [[0, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0]];
    expect(run({}, s, t, [1, 1, 3, 2])).toBeCloseTo(0.21652, 5);
    expect(run({ loss_weight: 10 }, s, t, [1, 1, 3, 2])).toBeCloseTo(2.1652, 4);
  });

  it("agrees with MMRazor's formula at τ = 1 and τ = 4 on a [2, 2, 3, 3] map", () => {
    const shape: [number, number, number, number] = [2, 2, 3, 3];
    const size = 36;
    const s = Array.from({ length: size }, (_, i) => Math.sin(i * 1.3) * 2);
    const t = Array.from({ length: size }, (_, i) => Math.cos(i * 0.7) * 3);
    for (const tau of [1, 4]) expect(run({ tau }, s, t, shape)).toBeCloseTo(reference(s, t, shape, tau), 4);
  });

  it('gives the student the gradient of finite differences and the teacher none', () => {
    const loss = new ChannelWiseDivergence({ tau: 2 });
    const [s, t] = [tf.tensor4d([0.3, -1, 2, 1, 0.5, -0.5, 1, 2], [1, 2, 2, 2]), tf.tensor4d([2, 0, 1, -1, 3, 0, 1, 1], [1, 2, 2, 2])];
    const f = (x: tf.Tensor) => loss.forward(x, t) as tf.Scalar;
    const [gs, gt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss.forward(a, b) as tf.Scalar)([s, t]);
    expect(maxRelativeError(gs!.dataSync(), numericGradient(f, s, 1e-2), 0.05)).toBeLessThan(1e-2);
    expect(Array.from(gt!.dataSync()).every((g) => g === 0)).toBe(true);
    tf.dispose([s, t, gs!, gt!]);
  });

  it('leaves no tensor behind but its result, and rejects non-NHWC or mismatched features', () => {
    const [s, t] = [tf.zeros([1, 2, 2, 3]), tf.ones([1, 2, 2, 3])];
    const before = tf.memory().numTensors;
    const out = new ChannelWiseDivergence().forward(s, t);
    expect(tf.memory().numTensors).toBe(before + 1);
    const flat = tf.zeros([4, 3]);
    expect(() => new ChannelWiseDivergence().forward(flat, flat)).toThrow('ChannelWiseDivergence.forward: expected student and teacher features of one shape [N, H, W, C], got [4, 3] and [4, 3]');
    tf.dispose([out, s, t, flat]);
  });

  it('reports a bad option with its config path', () => {
    expect(() => MODELS.build({ type: 'ChannelWiseDivergence', tau: 0 }, { path: 'model.distiller.distill_losses.loss_cwd_fpn0' })).toThrow(
      /model\.distiller\.distill_losses\.loss_cwd_fpn0\.tau: /,
    );
  });
});
