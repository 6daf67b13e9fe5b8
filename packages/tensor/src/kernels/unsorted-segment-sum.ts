/**
 * `UnsortedSegmentSum` for the wasm backend, which has none (tensorflow/tfjs#8082). It is the gradient of
 * `gather`, so without it no model that gathers (anchor assignment, nearest upsampling by index) can train on
 * wasm.
 *
 * out[ids[i], ...] += x[i, ...] is a ScatterNd with the ids as 1-element indices: wasm's ScatterNd sums the
 * updates that land on the same index (reference §4.2).
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { withKernelScope, type KernelBackendLike } from './kernel-scope.js';

/**
 * Sums the slices x[i] with equal segment id: out [numSegments, ...x.shape.slice(ids.rank)].
 *
 * Ids outside [0, numSegments) are dropped, as in TensorFlow: they are sent to an extra segment that is cut off.
 */
export const unsortedSegmentSumWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const wasm = backend as KernelBackendLike;
  const count = segmentIds.shape.reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(segmentIds.shape.length);
  const ids = Int32Array.from(wasm.readSync(segmentIds.dataId) as ArrayLike<number>);
  const outOfRange = ids.some((id) => id < 0 || id >= numSegments);

  return withKernelScope(wasm, 'wasm', (scope) => {
    let indices: TensorInfo;
    if (outOfRange) {
      indices = scope.wasmTensor([count, 1], 'int32', ids.map((id) => (id < 0 || id >= numSegments ? numSegments : id)));
    } else {
      indices = scope.run('Reshape', { x: segmentIds }, { shape: [count, 1] });
    }
    const updates = scope.run('Reshape', { x }, { shape: [count, ...inner] });
    const rows = outOfRange ? numSegments + 1 : numSegments;
    const summed = scope.run('ScatterNd', { indices, updates }, { shape: [rows, ...inner] });
    if (!outOfRange) return summed;
    return scope.run('Slice', { x: summed }, { begin: summed.shape.map(() => 0), size: [numSegments, ...inner] });
  });
};

/** Registration record of the added kernel. */
export const unsortedSegmentSumWasmConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSumWasm,
};
