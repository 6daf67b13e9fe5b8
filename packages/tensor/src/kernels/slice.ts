/**
 * `Slice` and `SplitV` for wasm when the slice's rows are short, e.g. splitting [N, 4] boxes into two [N, 2]
 * halves (ATSS's box coder, six times a step). tfjs's wasm kernel copies row by row with a new `subarray` per
 * row, ~90 ns each: 2 ms for 22 K boxes, against 0.05 ms for a plain loop. Long rows (where `subarray` + `set`
 * is the fastest copy), contiguous slices, strings and ranks other than 2–4 go to the original.
 *
 * tfjs's wasm `SplitV` calls its own slice function rather than the registered kernel, so it is replaced too:
 * one slice per part, as tfjs does.
 */
import { backend_util, slice_util, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './kernel-scope.js';
import { runOriginal, setUpOriginal } from './original-kernels.js';

/** Rows of at most this many elements are copied element by element. */
const SHORT_ROW = 16;

type NumericArray = Float32Array | Int32Array | Uint8Array;

/** The slice `begin`/`size` of x as a new tensor, or undefined when tfjs's kernel is the better copy. */
function shortRowSlice(backend: WasmBackendLike, x: TensorInfo, begin: number[], size: number[]): TensorInfo | undefined {
  const rank = x.shape.length;
  if (x.dtype === 'string' || rank < 2 || rank > 4 || size[rank - 1]! > SHORT_ROW) return undefined;
  if (slice_util.isSliceContinous(x.shape, begin, size) || size.some((d) => d === 0)) return undefined;
  const out = backend.makeOutput(size, x.dtype as 'float32' | 'int32');
  // Views are taken after makeOutput: a heap that grows detaches older ones.
  const src = backend.typedArrayFromHeap(x) as NumericArray;
  const dst = backend.typedArrayFromHeap(out) as NumericArray;
  // Pad to rank 4 at the front, so that one loop nest serves ranks 2–4.
  const pad = 4 - rank;
  const shape = [...new Array<number>(pad).fill(1), ...x.shape];
  const from = [...new Array<number>(pad).fill(0), ...begin];
  const count = [...new Array<number>(pad).fill(1), ...size];
  const strides = [...util.computeStrides(shape), 1];
  const row = count[3]!;
  let at = 0;
  for (let i = 0; i < count[0]!; i++) {
    for (let j = 0; j < count[1]!; j++) {
      for (let k = 0; k < count[2]!; k++) {
        let offset = (from[0]! + i) * strides[0]! + (from[1]! + j) * strides[1]! + (from[2]! + k) * strides[2]! + from[3]!;
        for (let l = 0; l < row; l++) dst[at++] = src[offset++]!;
      }
    }
  }
  return out;
}

export const sliceWasm: KernelFunc = (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
  const [begin_, size_] = slice_util.parseSliceParams(x, begin, size);
  return shortRowSlice(args.backend as WasmBackendLike, x, begin_, size_) ?? runOriginal('Slice', 'wasm', args);
};

export const splitVWasm: KernelFunc = (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number | number[] };
  const $axis = util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, $axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[$axis] = s;
    const part = sliceWasm({ inputs: { x }, attrs: { begin: [...begin], size }, backend: args.backend }) as TensorInfo;
    begin[$axis]! += s;
    return part;
  });
};

export const sliceWasmConfig: KernelConfig = {
  kernelName: 'Slice',
  backendName: 'wasm',
  kernelFunc: sliceWasm,
  setupFunc: setUpOriginal('Slice', 'wasm'),
};

export const splitVWasmConfig: KernelConfig = {
  kernelName: 'SplitV',
  backendName: 'wasm',
  kernelFunc: splitVWasm,
  setupFunc: setUpOriginal('SplitV', 'wasm'),
};
