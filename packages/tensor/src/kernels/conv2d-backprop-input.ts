/**
 * `Conv2DBackpropInput` for the wasm backend built on XNNPACK's forward convolution (reference §4.1).
 *
 * wasm's own kernel is a naive C++ loop (1.2–3 GFLOP/s, against 15–35 for its forward Conv2D), so this one
 * replaces it. It also serves `tf.conv2dTranspose`, whose forward pass is this kernel. Upstream:
 * tensorflow/tfjs#2978 (slow conv2dDerInput), #4326 (wasm unusable for training).
 *
 * Two plans, both stride-1 convolutions of dy with the filter rotated by 180° and its channel axes swapped:
 * - polyphase (the usual case): one convolution per output phase (h mod s, w mod s) with the sub-filter of
 *   the taps that phase meets, then the phases interleaved. As many multiplications as the forward pass.
 * - zero-dilation (odd sizes at stride > 1, explicit pads larger than the kernel): one "full" convolution of dy
 *   with s − 1 zeros inserted between its elements; s² times the multiplications.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import {
  convGeometry,
  inputGradAxisPlan,
  polyphaseAxisPlan,
  type ConvAttrs,
  type ConvGeometry,
  type PolyphaseAxisPlan,
} from './conv-geometry.js';
import { withKernelScope, type KernelBackendLike, type KernelScope, type WasmBackendLike } from './kernel-scope.js';
import { ConvPass, oneDnnGeometry, runOnWasmHeap } from './onednn-conv.js';
import { transposeLastTwo } from './transpose-matrix.js';

/** Attrs of `Conv2DBackpropInput`: the forward conv's, plus the shape of x. */
interface BackpropInputAttrs extends ConvAttrs {
  inputShape: [number, number, number, number];
}

/** Computes dX [B, H, W, Cin] from dy [B, Ho, Wo, Cout] and the filter [kh, kw, Cin, Cout]. */
export const conv2DBackpropInputWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as BackpropInputAttrs;
  const g = convGeometry('Conv2DBackpropInput', a.inputShape, filter.shape, dy.shape, a);
  const native = runOnWasmHeap(backend as WasmBackendLike, ConvPass.InputGrad, dy, filter, [...a.inputShape], oneDnnGeometry(g));
  if (native !== undefined) return native;
  const rows = polyphaseAxisPlan(g.rows);
  const cols = polyphaseAxisPlan(g.cols);
  return withKernelScope(backend as KernelBackendLike, 'wasm', (scope) =>
    rows !== undefined && cols !== undefined ? polyphase(scope, g, dy, filter, rows, cols) : dilated(scope, g, dy, filter),
  );
};

/** Registration record of the replacement kernel. */
export const conv2DBackpropInputWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputWasm,
};

function polyphase(
  scope: KernelScope,
  g: ConvGeometry,
  dy: TensorInfo,
  filter: TensorInfo,
  rows: PolyphaseAxisPlan,
  cols: PolyphaseAxisPlan,
): TensorInfo {
  const { batch: b, inChannels: cin, outChannels: cout } = g;
  const kw = g.cols.k;
  const taps = channelSwapped(scope, g, filter); // [kh·kw, Cout, Cin]

  const rowBlocks = rows.phases.map((rowPhase) => {
    const blocks = cols.phases.map((colPhase) => {
      if (rowPhase.taps.length === 0 || colPhase.taps.length === 0) return undefined; // no tap reaches these pixels
      const indices = rowPhase.taps.flatMap((i) => colPhase.taps.map((j) => i * kw + j));
      const shape = [rowPhase.taps.length, colPhase.taps.length, cout, cin];
      const sub = scope.run('Reshape', { x: scope.pickRows(taps, indices) }, { shape }); // the phase's sub-filter
      const pad = [[0, 0], [rowPhase.padBefore, rowPhase.padAfter], [colPhase.padBefore, colPhase.padAfter], [0, 0]];
      return scope.run('Conv2D', { x: dy, filter: sub }, conv(pad)); // [B, H/sh, W/sw, Cin]
    });
    return interleave(scope, blocks, 3, [b, rows.rows, g.cols.n, cin]); // [B, H/sh, W, Cin]
  });
  const dx = interleave(scope, rowBlocks, 2, [b, g.rows.n, g.cols.n, cin]); // [B, H, W, Cin]
  return dx ?? scope.wasmTensor([b, g.rows.n, g.cols.n, cin], 'float32');
}

/**
 * Interleaves phase results along `axis − 1` into `shape`: stacked on a new `axis` right after it, a reshape
 * interleaves them. Phases no tap reaches are undefined (zeros); a single non-zero phase is spread by
 * zero-padding that new axis instead (a 1×1 stride-2 conv), which copies once instead of packing zeros.
 */
function interleave(
  scope: KernelScope,
  phases: Array<TensorInfo | undefined>,
  axis: number,
  shape: number[],
): TensorInfo | undefined {
  const live = phases.filter((p): p is TensorInfo => p !== undefined);
  if (live.length === 0) return undefined;
  if (phases.length === 1) return live[0];
  let stacked: TensorInfo;
  if (live.length === 1) {
    const only = phases.indexOf(live[0]);
    const unit = scope.run('Reshape', { x: live[0]! }, { shape: insertAxis(live[0]!.shape, axis, 1) });
    const paddings = unit.shape.map((_, i) => (i === axis ? [only, phases.length - 1 - only] : [0, 0]));
    stacked = scope.run('PadV2', { x: unit }, { paddings, constantValue: 0 });
  } else {
    const zeros = () => scope.wasmTensor(live[0]!.shape, 'float32');
    // Pack takes its inputs as an array, unlike other kernels (engine.runKernel passes tf.stack's list as is).
    stacked = scope.run('Pack', phases.map((p) => p ?? zeros()) as unknown as NamedTensorInfoMap, { axis });
  }
  return scope.run('Reshape', { x: stacked }, { shape });
}

function insertAxis(shape: readonly number[], axis: number, size: number): number[] {
  return [...shape.slice(0, axis), size, ...shape.slice(axis)];
}

function dilated(scope: KernelScope, g: ConvGeometry, dy: TensorInfo, filter: TensorInfo): TensorInfo {
  const rows = inputGradAxisPlan(g.rows);
  const cols = inputGradAxisPlan(g.cols);
  const { batch: b, outChannels: cout } = g;
  const [sh, sw] = [g.rows.s, g.cols.s];
  let src = dy; // [B, Ho, Wo, Cout]
  if (sh > 1 || sw > 1) {
    const unit = scope.run('Reshape', { x: dy }, { shape: [b, g.rows.m, 1, g.cols.m, 1, cout] });
    const rowZeros = [rows.zerosBefore, sh - 1 - rows.zerosBefore];
    const colZeros = [cols.zerosBefore, sw - 1 - cols.zerosBefore];
    const paddings = [[0, 0], [0, 0], rowZeros, [0, 0], colZeros, [0, 0]];
    const spread = scope.run('PadV2', { x: unit }, { paddings, constantValue: 0 });
    src = scope.run('Reshape', { x: spread }, { shape: [b, g.rows.m * sh, g.cols.m * sw, cout] }); // [B, Ho·sh, Wo·sw, Cout]
  }
  if (rows.cropBefore + rows.cropAfter + cols.cropBefore + cols.cropAfter > 0) {
    const size = [b, src.shape[1] - rows.cropBefore - rows.cropAfter, src.shape[2] - cols.cropBefore - cols.cropAfter, cout];
    if (size[1] < 1 || size[2] < 1) return scope.wasmTensor([b, g.rows.n, g.cols.n, g.inChannels], 'float32');
    src = scope.run('Slice', { x: src }, { begin: [0, rows.cropBefore, cols.cropBefore, 0], size });
  }
  // w'[i, j, co, ci] = w[kh − 1 − i, kw − 1 − j, ci, co]: the flattened taps in reverse order
  const taps = channelSwapped(scope, g, filter);
  const reversed = Array.from({ length: g.rows.k * g.cols.k }, (_, t) => g.rows.k * g.cols.k - 1 - t);
  const shape = [g.rows.k, g.cols.k, cout, g.inChannels];
  const swapped = scope.run('Reshape', { x: scope.pickRows(taps, reversed) }, { shape }); // [kh, kw, Cout, Cin]
  const pad = [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]];
  return scope.run('Conv2D', { x: src, filter: swapped }, conv(pad)); // [B, H, W, Cin]
}

/** The filter [kh, kw, Cin, Cout] as [kh·kw, Cout, Cin]: one [Cout, Cin] block per tap, ready to pick from. */
function channelSwapped(scope: KernelScope, g: ConvGeometry, filter: TensorInfo): TensorInfo {
  const flat = scope.run('Reshape', { x: filter }, { shape: [g.rows.k * g.cols.k, g.inChannels, g.outChannels] });
  return transposeLastTwo(scope, flat);
}

/** Attrs of a stride-1 NHWC Conv2D with explicit padding. */
function conv(pad: number[][]): NamedAttrMap {
  return { strides: 1, dilations: 1, pad, dataFormat: 'NHWC' };
}
