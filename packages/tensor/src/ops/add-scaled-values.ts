/**
 * alpha·x + beta·values, where `values` are plain numbers outside the backend (a data-parallel replica's
 * gradients in a SharedArrayBuffer). Not differentiable: it serves optimizer-side arithmetic only.
 *
 * On wasm with oneDNN's addon in use it is one native pass from the two memories into a new tensor; averaging
 * ResNet-50's gradients with a replica's took 57 ms as a copy and three tfjs kernels per parameter, on 2 cores.
 * Elsewhere it is those tfjs ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from '../kernels/kernel-scope.js';
import { activeOneDnn } from '../kernels/onednn-conv.js';

/** A new float32 tensor of x's shape holding alpha·x + beta·values; `values` must have x.size elements. */
export function addScaledValues(x: tf.Tensor, alpha: number, values: Float32Array, beta: number): tf.Tensor {
  if (x.dtype !== 'float32') throw new TypeError(`addScaledValues: expected a float32 tensor, got ${x.dtype}`);
  if (values.length !== x.size) {
    throw new RangeError(`addScaledValues: ${values.length} values for a tensor of ${x.size} [${x.shape.join(', ')}]`);
  }
  const api = activeOneDnn();
  if (api === undefined || tf.getBackend() !== 'wasm' || x.size === 0) {
    return tf.tidy(() => tf.add(tf.mul(x, alpha), tf.mul(tf.tensor(values, x.shape, 'float32'), beta)));
  }
  const backend = tf.backend() as unknown as WasmBackendLike;
  const out = backend.makeOutput([...x.shape], 'float32');
  // Views after makeOutput: a heap that grows detaches older ones.
  const outView = backend.typedArrayFromHeap(out) as Float32Array;
  const xView = backend.typedArrayFromHeap({ dataId: x.dataId, shape: x.shape, dtype: 'float32' }) as Float32Array;
  api.axpby(outView, xView, alpha, values, beta);
  return tf.engine().makeTensorFromTensorInfo(out);
}
