/**
 * `Sum` and `Mean` for wasm over leading axes, summed row by row in float64.
 *
 * wasm reduces only along the innermost axis: for any other axes it first transposes them inward, and at conv-net
 * sizes that transpose is most of the cost (Σ over N, H, W of [2, 64, 64, 256]: 6 ms; over axis 0 of the same data
 * as [8192, 256]: 34 ms, a power-of-two stride that thrashes the cache). BatchNorm's statistics (mean over N, H,
 * W of NHWC) and every bias or broadcast gradient reduce exactly such leading axes. Viewed as a [rows, cols]
 * matrix, the column sums are one pass over contiguous rows: 3 ms for the example, in float64, so also more
 * accurate than float32 accumulation. (An XNNPACK product ones · X would be faster for a tensor it has seen, but
 * it packs its right operand anew for every new tensor: 34 ms.) Other reductions, int32 inputs and empty tensors
 * go to the original kernels.
 */
import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './kernel-scope.js';
import { runOriginal, setUpOriginal } from './original-kernels.js';

interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

function leadingAxesReduce(kernelName: 'Sum' | 'Mean'): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as unknown as ReduceAttrs;
    const axes = util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    const rows = x.shape.slice(0, axes.length).reduce((p, d) => p * d, 1);
    const kept = x.shape.slice(axes.length);
    const cols = kept.reduce((p, d) => p * d, 1);
    if (!leading || x.dtype !== 'float32' || rows <= 1 || cols === 0) {
      return runOriginal(kernelName, 'wasm', { inputs, attrs, backend });
    }
    const wasm = backend as WasmBackendLike;
    const out = wasm.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
    // Views are taken after makeOutput: a heap that grows detaches older ones.
    const sums = columnSums(wasm.typedArrayFromHeap(x) as Float32Array, rows, cols);
    const scale = kernelName === 'Mean' ? 1 / rows : 1;
    const target = wasm.typedArrayFromHeap(out);
    for (let c = 0; c < cols; c += 1) target[c] = sums[c]! * scale;
    return out;
  };
}

/** Σ over the rows of a row-major [rows, cols] matrix, accumulated in float64. */
function columnSums(values: Float32Array, rows: number, cols: number): Float64Array {
  const sums = new Float64Array(cols);
  for (let r = 0; r < rows; r += 1) {
    const base = r * cols;
    for (let c = 0; c < cols; c += 1) sums[c] += values[base + c]!;
  }
  return sums;
}

export const sumWasmConfig: KernelConfig = {
  kernelName: 'Sum',
  backendName: 'wasm',
  kernelFunc: leadingAxesReduce('Sum'),
  setupFunc: setUpOriginal('Sum', 'wasm'),
};

export const meanWasmConfig: KernelConfig = {
  kernelName: 'Mean',
  backendName: 'wasm',
  kernelFunc: leadingAxesReduce('Mean'),
  setupFunc: setUpOriginal('Mean', 'wasm'),
};
