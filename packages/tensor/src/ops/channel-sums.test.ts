import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { batchStatistics, channelSums } from './channel-sums.js';

/** Mean and biased variance per channel of NHWC values, two-pass in float64: the reference. */
function reference(values: Float32Array, channels: number): { mean: number[]; variance: number[] } {
  const count = values.length / channels;
  const mean = Array.from({ length: channels }, (_, c) => values.filter((_, i) => i % channels === c).reduce((s, v) => s + v, 0) / count);
  const variance = mean.map((m, c) => values.filter((_, i) => i % channels === c).reduce((s, v) => s + (v - m) ** 2, 0) / count);
  return { mean, variance };
}

describe.each(['wasm', 'cpu'] as const)('batchStatistics on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it.each([
    ['centred data', 0, 1],
    ['a mean 1000× the spread', 500, 0.5],
  ])('matches a float64 two-pass reference on %s', (_, offset, spread) => {
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 7), spread), offset)) as tf.Tensor4D;
    const want = reference(x.dataSync() as Float32Array, 6);
    const { mean, variance } = batchStatistics(x);
    const [m, v] = [Array.from(mean.dataSync()), Array.from(variance.dataSync())];
    m.forEach((value, c) => expect(Math.abs(value - want.mean[c]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want.mean[c]!))));
    // tf.moments (cpu) accumulates in float32: allow its rounding on the offset data.
    v.forEach((value, c) => expect(Math.abs(value - want.variance[c]!) / want.variance[c]!).toBeLessThan(backend === 'wasm' ? 1e-5 : 1e-2));
    tf.dispose([x, mean, variance]);
  });
});

describe('channelSums', () => {
  it('gives Σa and Σa·b per channel on wasm and nothing elsewhere', async () => {
    await initBackend('wasm');
    const a = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 1, 2, 2]);
    const b = tf.tensor4d([2, 0, 1, 1, -1, 3, 0, 2], [2, 1, 2, 2]);
    const sums = channelSums(a, b)!;
    expect(Array.from(sums.sum)).toEqual([1 + 3 + 5 + 7, 2 + 4 + 6 + 8]);
    expect(Array.from(sums.sumOfProducts)).toEqual([1 * 2 + 3 * 1 + 5 * -1 + 7 * 0, 2 * 0 + 4 * 1 + 6 * 3 + 8 * 2]);
    await initBackend('cpu');
    const onCpu = [tf.tensor4d([1], [1, 1, 1, 1]), tf.tensor4d([1], [1, 1, 1, 1])] as const;
    expect(channelSums(...onCpu)).toBeUndefined();
    tf.dispose([...onCpu]);
    await initBackend('wasm');
    tf.dispose([a, b]);
  });
});
