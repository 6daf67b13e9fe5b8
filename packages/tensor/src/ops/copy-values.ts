/**
 * Copies a tensor's values into an existing typed array (a SharedArrayBuffer view, say) without allocating.
 *
 * `dataSync()` returns a new array each call. For large tensors that allocation is the expensive part: a fresh
 * 94 MB array's pages fault in one by one, and reading ResNet-50's parameters with `dataSync` took 110–300 ms
 * on a 2-core VM where copying the same bytes from the wasm heap took 6 ms. On wasm the values are read straight
 * from the heap; other backends fall back to `dataSync`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from '../kernels/kernel-scope.js';

/** Writes the values of `tensor` into `target` from element `offset` on. Dtypes must match (float32 or int32). */
export function copyValuesInto(tensor: tf.Tensor, target: Float32Array | Int32Array, offset = 0): void {
  if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
    throw new TypeError(`copyValuesInto: expected a float32 or int32 tensor, got ${tensor.dtype}`);
  }
  if ((tensor.dtype === 'int32') !== target instanceof Int32Array) {
    throw new TypeError(`copyValuesInto: a ${tensor.dtype} tensor cannot be copied into a ${target.constructor.name}`);
  }
  if (offset < 0 || offset + tensor.size > target.length) {
    throw new RangeError(`copyValuesInto: ${tensor.size} values from offset ${offset} do not fit a target of ${target.length}`);
  }
  target.set(heapView(tensor) ?? (tensor.dataSync() as Float32Array | Int32Array), offset);
}

/** The tensor's values where they lie in the wasm heap (valid until the heap next grows), or undefined. */
function heapView(tensor: tf.Tensor): Float32Array | Int32Array | undefined {
  if (tf.getBackend() !== 'wasm' || tensor.size === 0) return undefined;
  const backend = tf.backend() as unknown as WasmBackendLike & { dataIdMap?: { has(dataId: object): boolean } };
  // A tensor made on another backend before a switch has no data here: dataSync moves it.
  if (backend.dataIdMap?.has(tensor.dataId) !== true) return undefined;
  return backend.typedArrayFromHeap({ dataId: tensor.dataId, shape: tensor.shape, dtype: tensor.dtype });
}
