/**
 * The filter gradient of a k×k convolution as one matrix product (im2col + GEMM).
 *
 * dW[i, j, ci, co] = Σ_p x[p moved by tap (i, j), ci] · dy[p, co] over the N·Ho·Wo output pixels p. Written out
 * as colsᵀ [kh·kw·Cin, P] · dY [P, Cout], the product has dW's own layout, and XNNPACK runs it at its GEMM speed
 * (on its thread pool when there is one): about as fast as the forward convolution. colsᵀ, one row per
 * (tap, input channel), is copied on the wasm heap from x transposed to [Cin, N, H, W], so every row is made
 * of runs along W. (The "channels as batch" convolution this replaces treats the batch as input channels, a
 * shape XNNPACK handles at a half to a fifth of its forward speed.)
 *
 * colsᵀ holds kh·kw times x's pixels read: images are taken in groups that keep it under
 * `MAX_COLUMN_ELEMENTS`, their products summed; when one image alone is larger, undefined (the caller falls
 * back to the convolution).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { ConvAxis, ConvGeometry } from './conv-geometry.js';
import type { KernelScope, WasmBackendLike } from './kernel-scope.js';

/** Largest colsᵀ made at once: 16 Mi floats (64 MiB). */
export const MAX_COLUMN_ELEMENTS = 16 * 1024 * 1024;

/** Runs shorter than this are copied element by element: a typed-array `set` costs more than it saves. */
const SHORT_RUN = 32;

/** dW [kh, kw, Cin, Cout] from x [B, H, W, Cin] and dy [B, Ho, Wo, Cout], or undefined when one image's columns are too large. */
export function im2colFilterGrad(
  scope: KernelScope,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
  maxElements = MAX_COLUMN_ELEMENTS,
): TensorInfo | undefined {
  const { batch, inChannels: cin, outChannels: cout, rows, cols } = g;
  const taps = rows.k * cols.k;
  const pixelsPerImage = rows.m * cols.m;
  const imagesPerGroup = Math.min(batch, Math.floor(maxElements / (taps * cin * pixelsPerImage)));
  if (imagesPerGroup < 1) return undefined;

  const channelMajor = scope.run('Transpose', { x }, { perm: [3, 0, 1, 2] }); // [Cin, B, H, W]
  const plain = { transposeA: false, transposeB: false };
  let sum: TensorInfo | undefined;
  for (let first = 0; first < batch; first += imagesPerGroup) {
    const images = Math.min(imagesPerGroup, batch - first);
    const pixels = images * pixelsPerImage;
    const columns = scope.wasmTensor([1, taps * cin, pixels], 'float32'); // zeros: the padding reads them
    const wasm = scope.backend as WasmBackendLike;
    // Views are taken after the allocation: a heap that grows detaches older ones.
    fillColumns(wasm.typedArrayFromHeap(columns) as Float32Array, wasm.typedArrayFromHeap(channelMajor) as Float32Array, g, first, images);
    const dyGroup = images === batch ? dy : scope.pickRows(scope.run('Reshape', { x: dy }, { shape: [batch, pixelsPerImage * cout] }), range(first, images));
    const gradient = scope.run('BatchMatMul', { a: columns, b: scope.run('Reshape', { x: dyGroup }, { shape: [1, pixels, cout] }) }, plain);
    scope.release(columns);
    sum = sum === undefined ? gradient : scope.run('Add', { a: sum, b: gradient });
  }
  return scope.run('Reshape', { x: sum! }, { shape: [rows.k, cols.k, cin, cout] });
}

/**
 * Writes colsᵀ for images [first, first + images): row (i·kw + j)·Cin + c holds, for each output pixel, the
 * input it meets through tap (i, j) in channel c; taps that land in the padding keep their zeros.
 */
function fillColumns(target: Float32Array, source: Float32Array, g: ConvGeometry, first: number, images: number): void {
  const { batch, inChannels: cin, rows, cols } = g;
  const pixels = images * rows.m * cols.m;
  for (let i = 0; i < rows.k; i += 1) {
    const [ohFrom, ohTo] = validOutputs(rows, i);
    for (let j = 0; j < cols.k; j += 1) {
      const [owFrom, owTo] = validOutputs(cols, j);
      const run = owTo - owFrom;
      if (run <= 0 || ohTo <= ohFrom) continue;
      for (let c = 0; c < cin; c += 1) {
        const row = ((i * cols.k + j) * cin + c) * pixels;
        for (let b = 0; b < images; b += 1) {
          const image = (c * batch + first + b) * rows.n * cols.n;
          for (let oh = ohFrom; oh < ohTo; oh += 1) {
            let from = image + (oh * rows.s + i - rows.before) * cols.n + owFrom * cols.s + j - cols.before;
            let to = row + (b * rows.m + oh) * cols.m + owFrom;
            if (cols.s === 1 && run >= SHORT_RUN) {
              target.set(source.subarray(from, from + run), to);
            } else {
              for (let k = 0; k < run; k += 1, from += cols.s, to += 1) target[to] = source[from]!;
            }
          }
        }
      }
    }
  }
}

/** The outputs o whose input o·s + tap − before lies inside [0, n): [from, to). */
function validOutputs({ n, m, s, before }: ConvAxis, tap: number): [number, number] {
  const from = Math.max(0, Math.ceil((before - tap) / s));
  const to = Math.min(m, Math.floor((n - 1 + before - tap) / s) + 1);
  return [from, to];
}

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}
