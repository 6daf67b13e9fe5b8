/**
 * The wasm backend's convolutions on oneDNN (`@detlab/onednn`), when its addon is built: Conv2D and both of its
 * gradients (and train-mode BatchNorm, `onednn-batch-norm.ts`, and the SGD step, `onednn-sgd.ts`) run natively
 * on the tensors where they lie, in the wasm heap, at the CPU's full vector width and on `env_cfg.num_threads`
 * OpenMP threads (issue 11: 8–16× wasm's XNNPACK on an AVX-512 machine).
 *
 * `useOneDnn` switches it on (`initBackend` does, unless `env_cfg.onednn` is false); the three kernels call
 * `runOnWasmHeap` first and fall back to the wasm compositions when it returns undefined: oneDNN missing or
 * switched off, an empty tensor, or a geometry oneDNN rejects (remembered, so it is not retried every step).
 */
import { ConvPass, loadOneDnn, packGeometry, type ConvGeometry as OneDnnGeometry, type OneDnn } from '@detlab/onednn';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-geometry.js';
import type { WasmBackendLike } from './kernel-scope.js';
import { registerOneDnnNormKernels } from './onednn-batch-norm.js';
import { registerOneDnnSgdKernel } from './onednn-sgd.js';

export { ConvPass } from '@detlab/onednn';

/** Whether the kernels use oneDNN, and the geometries it refused. On `globalThis`, like the kernel registry. */
interface OneDnnState {
  api: OneDnn | undefined;
  refused: Set<string>;
}
const state: OneDnnState = ((globalThis as Record<symbol, unknown>)[Symbol.for('detlab.onednn.v1')] ??= {
  api: undefined,
  refused: new Set<string>(),
}) as OneDnnState;

/** What `useOneDnn` did: the version in use, or why the wasm kernels stay. */
export type OneDnnStatus = { active: true; version: string; threads: number } | { active: false; reason: string };

/**
 * Routes the wasm backend's convolutions through oneDNN with `threads` OpenMP threads (for the calling JavaScript
 * thread), or back to the wasm kernels when `enabled` is false. Loading the addon is attempted once per thread.
 */
export function useOneDnn(enabled: boolean, threads: number): OneDnnStatus {
  if (!enabled) {
    state.api = undefined;
    return { active: false, reason: 'switched off (env_cfg.onednn: false)' };
  }
  const loaded = loadOneDnn();
  if (!loaded.ok) {
    state.api = undefined;
    return { active: false, reason: loaded.reason };
  }
  loaded.api.setThreads(threads);
  registerOneDnnNormKernels(activeOneDnn);
  registerOneDnnSgdKernel(activeOneDnn);
  state.api = loaded.api;
  return { active: true, version: loaded.api.version, threads };
}

/** Whether the convolutions currently run on oneDNN. */
export function oneDnnActive(): boolean {
  return state.api !== undefined;
}

/** The addon while oneDNN is in use. */
export function activeOneDnn(): OneDnn | undefined {
  return state.api;
}

/** The oneDNN geometry of a convolution resolved by `convGeometry` (dilation 1, as tfjs's gradients need). */
export function oneDnnGeometry(g: ConvGeometry, dilations: [number, number] = [1, 1]): OneDnnGeometry {
  return {
    batch: g.batch,
    inH: g.rows.n,
    inW: g.cols.n,
    inC: g.inChannels,
    outC: g.outChannels,
    kH: g.rows.k,
    kW: g.cols.k,
    outH: g.rows.m,
    outW: g.cols.m,
    strideH: g.rows.s,
    strideW: g.cols.s,
    dilationH: dilations[0],
    dilationW: dilations[1],
    padTop: g.rows.before,
    padLeft: g.cols.before,
    padBottom: g.rows.after,
    padRight: g.cols.after,
  };
}

/**
 * Runs one pass on oneDNN into a new wasm tensor of `outShape`: reading (x, filter) for the forward pass,
 * (dy, filter) for the input gradient and (x, dy) for the filter gradient. Undefined when oneDNN is not in use,
 * a tensor is empty or not float32, or oneDNN refuses the geometry; the caller then runs its wasm kernel.
 */
export function runOnWasmHeap(
  backend: WasmBackendLike,
  pass: ConvPass,
  a: TensorInfo,
  b: TensorInfo,
  outShape: number[],
  geometry: OneDnnGeometry,
): TensorInfo | undefined {
  const api = state.api;
  if (api === undefined || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  if (outShape.some((d) => d === 0) || a.shape.some((d) => d === 0) || b.shape.some((d) => d === 0)) return undefined;
  const packed = packGeometry(geometry);
  const key = `${pass}:${packed.join(',')}`;
  if (state.refused.has(key)) return undefined;
  const out = backend.makeOutput(outShape, 'float32');
  // Views are taken after makeOutput: a heap that grows detaches older ones.
  const [aView, bView, outView] = [a, b, out].map((t) => backend.typedArrayFromHeap(t)) as [Float32Array, Float32Array, Float32Array];
  try {
    api.conv(pass, new Uint8Array(outView.buffer), aView.byteOffset, bView.byteOffset, outView.byteOffset, packed);
  } catch (error) {
    backend.disposeData(out.dataId);
    // A geometry oneDNN cannot run (an unusual explicit padding, say) stays on the wasm kernels; other errors
    // are bugs and surface.
    if (!(error instanceof Error && (error as { code?: string }).code === 'ERR_DETLAB_ONEDNN' && error.message.startsWith('oneDNN:'))) throw error;
    state.refused.add(key);
    return undefined;
  }
  return out;
}
