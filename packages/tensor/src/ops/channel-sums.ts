/**
 * Per-channel sums of an NHWC float32 tensor over N, H, W, read straight from the wasm heap in one float64 pass:
 * Σa and Σa·b together (b = a gives Σa²). BatchNorm needs two such pairs per layer (mean and variance forward;
 * mean(dy) and mean(dy·x) backward); as tfjs ops each pair is two reductions plus one or two full-size kernels.
 * Only on wasm, where the data is in this process's memory: `undefined` elsewhere (a GPU backend would have to
 * download the tensor), and callers use tfjs ops there.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from '../kernels/kernel-scope.js';
import { noGrad } from './no-grad.js';

/** Σ over N, H, W of a and of a·b per channel, or undefined when the active backend is not wasm. */
export function channelSums(a: tf.Tensor4D, b: tf.Tensor4D): { sum: Float64Array; sumOfProducts: Float64Array } | undefined {
  if (tf.getBackend() !== 'wasm' || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const backend = tf.backend() as unknown as WasmBackendLike;
  const left = backend.typedArrayFromHeap({ dataId: a.dataId, shape: a.shape, dtype: a.dtype }) as Float32Array;
  const right = backend.typedArrayFromHeap({ dataId: b.dataId, shape: b.shape, dtype: b.dtype }) as Float32Array;
  const channels = a.shape[3];
  const sum = new Float64Array(channels);
  const sumOfProducts = new Float64Array(channels);
  for (let base = 0; base < left.length; base += channels) {
    for (let c = 0; c < channels; c += 1) {
      const v = left[base + c]!;
      sum[c] += v;
      sumOfProducts[c] += v * right[base + c]!;
    }
  }
  return { sum, sumOfProducts };
}

/**
 * Batch mean and biased variance per channel over N, H, W, as constants (no gradient is recorded): one float64
 * pass on wasm (variance = E[x²] − mean², exact enough in float64 for any |mean|/std below ~10⁶), tf.moments
 * elsewhere.
 */
export function batchStatistics(x: tf.Tensor4D): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const sums = channelSums(x, x);
  if (sums === undefined) return noGrad(() => tf.moments(x, [0, 1, 2])) as { mean: tf.Tensor1D; variance: tf.Tensor1D };
  const count = x.size / x.shape[3];
  const mean = sums.sum.map((s) => s / count);
  const variance = sums.sumOfProducts.map((s, c) => Math.max(s / count - mean[c]! * mean[c]!, 0));
  return { mean: tf.tensor1d(Float32Array.from(mean)), variance: tf.tensor1d(Float32Array.from(variance)) };
}
