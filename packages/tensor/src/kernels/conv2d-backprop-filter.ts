/**
 * `Conv2DBackpropFilter` for the wasm backend, which has none (tensorflow/tfjs#8474), as XNNPACK matrix
 * products (reference §4.1; issue 11 for the speeds):
 *
 * - a 1×1 unpadded convolution (half the FLOPs of a ResNet bottleneck; the strided ones are its downsample
 *   shortcuts): dW [Cin, Cout] = Xᵀ · dY over the N·Ho·Wo pixels the kernel reads (every s-th, copied out first
 *   when s > 1). XNNPACK takes only untransposed operands, so the smaller of x and dy is transposed: Xᵀ · dY, or
 *   (dYᵀ · X)ᵀ when Cout < Cin;
 * - any other kernel: im2col + one product (`filter-grad-im2col.ts`);
 * - images too large for im2col's buffer: one forward convolution, "channels as batch": dW[i, j, ci, co] =
 *   Σ_{b, oh, ow} xp[b, oh·sh + i, ow·sw + j, ci] · dy[b, oh, ow, co] is a convolution of x transposed to
 *   [Cin, H, W, B] with dy transposed to [Ho, Wo, B, Cout] as the filter, at dilation = stride (4–16 GFLOP/s,
 *   against ~30 for the products).
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { convGeometry, filterGradAxisPlan, type ConvAttrs, type ConvGeometry } from './conv-geometry.js';
import { withKernelScope, type KernelBackendLike, type KernelScope, type WasmBackendLike } from './kernel-scope.js';
import { im2colFilterGrad } from './filter-grad-im2col.js';
import { ConvPass, oneDnnGeometry, runOnWasmHeap } from './onednn-conv.js';
import { transposeLastTwo } from './transpose-matrix.js';

/** Attrs of `Conv2DBackpropFilter`: the forward conv's, plus the filter shape. */
interface BackpropFilterAttrs extends ConvAttrs {
  filterShape: [number, number, number, number];
}

/** Computes dW [kh, kw, Cin, Cout] from x [B, H, W, Cin] and dy [B, Ho, Wo, Cout]. */
export const conv2DBackpropFilterWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as BackpropFilterAttrs;
  const g = convGeometry('Conv2DBackpropFilter', x.shape, a.filterShape, dy.shape, a);
  const [kh, kw, cin, cout] = a.filterShape;
  const native = runOnWasmHeap(backend as WasmBackendLike, ConvPass.FilterGrad, x, dy, [...a.filterShape], oneDnnGeometry(g));
  if (native !== undefined) return native;

  if (kh === 1 && kw === 1 && isUnpadded(g)) {
    return withKernelScope(backend as KernelBackendLike, 'wasm', (scope) => {
      const read = g.rows.s === 1 && g.cols.s === 1 ? x : pixelsRead(scope, x, g);
      return pointwiseFilterGrad(scope, read, dy, cin, cout);
    });
  }
  return withKernelScope(backend as KernelBackendLike, 'wasm', (scope) => im2colFilterGrad(scope, x, dy, g) ?? channelsAsBatch(scope, x, dy, g));
};

/** dW as one convolution of x's channels (as the batch) with dy (as the filter): for very large images. */
function channelsAsBatch(scope: KernelScope, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const rows = filterGradAxisPlan(g.rows);
  const cols = filterGradAxisPlan(g.cols);
  const [kh, kw, cin, cout] = [g.rows.k, g.cols.k, g.inChannels, g.outChannels];
  const channelsAsBatch = scope.run('Transpose', { x }, { perm: [3, 1, 2, 0] }); // [Cin, H, W, B]
  const dyAsFilter = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [Ho, Wo, B, Cout]
  const conv: NamedAttrMap = {
    strides: 1,
    dilations: [g.rows.s, g.cols.s],
    pad: [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]],
    dataFormat: 'NHWC',
  };
  let grad = scope.run('Conv2D', { x: channelsAsBatch, filter: dyAsFilter }, conv); // [Cin, ≥kh, ≥kw, Cout]
  // Larger than k when the last windows leave input rows unread, e.g. a 1×1 stride-2 conv on an even size.
  if (rows.outSize > kh || cols.outSize > kw) {
    grad = scope.run('Slice', { x: grad }, { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] });
  }
  return scope.run('Transpose', { x: grad }, { perm: [1, 2, 0, 3] }); // [kh, kw, Cin, Cout]
}

function isUnpadded({ rows, cols }: ConvGeometry): boolean {
  return [rows, cols].every((a) => a.before === 0 && a.after === 0 && (a.m - 1) * a.s < a.n);
}

/**
 * x [B, Ho, Wo, Cin] at the pixels a 1×1 conv of stride s reads: x[b, ho·sh, wo·sw, :], one contiguous block of
 * Cin floats per pixel copied on the wasm heap. (wasm's StridedSlice takes ~20 ms for [2, 64, 64, 64]; its 5-D
 * Transpose, the other copy-free-looking route, ~125 ms.)
 */
function pixelsRead(scope: KernelScope, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const { batch, inChannels: c, rows, cols } = g;
  const out = scope.wasmTensor([batch, rows.m, cols.m, c], 'float32', undefined, { zero: false });
  const wasm = scope.backend as WasmBackendLike;
  // Views are taken after the output is made: a heap that grows detaches older ones.
  const src = wasm.typedArrayFromHeap(x);
  const dst = wasm.typedArrayFromHeap(out);
  let at = 0;
  for (let b = 0; b < batch; b += 1) {
    for (let ho = 0; ho < rows.m; ho += 1) {
      const rowStart = (b * rows.n + ho * rows.s) * cols.n;
      for (let wo = 0; wo < cols.m; wo += 1) {
        const from = (rowStart + wo * cols.s) * c;
        dst.set(src.subarray(from, from + c), at);
        at += c;
      }
    }
  }
  return out;
}

/** dW [1, 1, Cin, Cout] of a 1×1 convolution as one matrix product over the pixels of dy. */
function pointwiseFilterGrad(scope: KernelScope, x: TensorInfo, dy: TensorInfo, cin: number, cout: number): TensorInfo {
  // x holds exactly the pixels of dy here (the strided case was subsampled).
  const pixels = x.shape[0]! * x.shape[1]! * x.shape[2]!;
  const xs = scope.run('Reshape', { x }, { shape: [1, pixels, cin] });
  const dys = scope.run('Reshape', { x: dy }, { shape: [1, pixels, cout] });
  const plain = { transposeA: false, transposeB: false };
  let grad: TensorInfo;
  if (cin <= cout) {
    grad = scope.run('BatchMatMul', { a: transposeLastTwo(scope, xs), b: dys }, plain); // [1, Cin, Cout]
  } else {
    const gradT = scope.run('BatchMatMul', { a: transposeLastTwo(scope, dys), b: xs }, plain); // [1, Cout, Cin]
    grad = transposeLastTwo(scope, gradT);
  }
  return scope.run('Reshape', { x: grad }, { shape: [1, 1, cin, cout] });
}

/** Registration record of the added kernel. */
export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm,
};
