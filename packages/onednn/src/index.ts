/**
 * oneDNN's convolutions and batch normalisation for memory that JavaScript owns, and a one-pass SGD step: the native
 * accelerator behind @detlab/tensor's wasm kernels (issue 11). oneDNN is the library PyTorch's CPU convolutions run on; its JIT kernels use
 * the CPU's full vector width (AVX-512 where there is one), which wasm's 128-bit SIMD cannot.
 *
 * The addon is built at install time when oneDNN is installed (`apt-get install libdnnl-dev`); everything here
 * works without it: `loadOneDnn()` then says why it is unavailable, and callers keep their own kernels.
 *
 * ```ts
 * const loaded = loadOneDnn();
 * if (loaded.ok) loaded.api.conv(ConvPass.Forward, heapU8, xOffset, filterOffset, yOffset, packGeometry(g));
 * ```
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which convolution pass `conv` runs, and so what its three offsets point at. */
export const ConvPass = {
  /** x (a), filter (b) → y (out). */
  Forward: 0,
  /** dy (a), filter (b) → dx (out). */
  InputGrad: 1,
  /** x (a), dy (b) → dW (out). */
  FilterGrad: 2,
} as const;
export type ConvPass = (typeof ConvPass)[keyof typeof ConvPass];

/** Which batch-normalisation pass `batchNorm` runs. */
export const NormPass = {
  /** x, γ, β → y, batch mean, biased batch variance (offsets in that order). */
  Forward: 0,
  /** x, mean, variance, dy, γ → dx, dγ, dβ (offsets in that order). */
  Backward: 1,
} as const;
export type NormPass = (typeof NormPass)[keyof typeof NormPass];

/**
 * One forward convolution: x [batch, inH, inW, inC] (NHWC), filter [kH, kW, inC, outC] (tfjs's HWIO),
 * y [batch, outH, outW, outC]. Dilation counts as tfjs does (1 = dense). Padding is per side, in pixels.
 */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outC: number;
  kH: number;
  kW: number;
  outH: number;
  outW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
}

/** The order of `ConvGeometry`'s fields in the packed array (native/onednn.cc, struct Geometry). */
export const GEOMETRY_FIELDS = [
  'batch', 'inH', 'inW', 'inC', 'outC', 'kH', 'kW', 'outH', 'outW',
  'strideH', 'strideW', 'dilationH', 'dilationW', 'padTop', 'padLeft', 'padBottom', 'padRight',
] as const satisfies readonly (keyof ConvGeometry)[];

/** Packs a geometry the way the addon reads it. */
export function packGeometry(g: ConvGeometry): Float64Array {
  return Float64Array.from(GEOMETRY_FIELDS, (field) => g[field]);
}

/** The addon's functions. */
export interface OneDnn {
  /** oneDNN's version, e.g. '2.6.3'. */
  readonly version: string;
  /**
   * Runs one convolution pass on float32 tensors inside `heap` at the given byte offsets; synchronous.
   * Throws (code ERR_DETLAB_ONEDNN) for a geometry oneDNN rejects or offsets outside the heap, writing nothing.
   * The first call for a geometry JIT-compiles its kernel (about a millisecond); later calls reuse it.
   */
  conv(pass: ConvPass, heap: ArrayBufferView, a: number, b: number, out: number, geometry: Float64Array): void;
  /**
   * Train-mode batch normalisation of a float32 NHWC tensor of `shape` [n, h, w, c] over n, h, w, with γ and β:
   * y = γ·(x − mean)/√(variance + epsilon) + β, and its gradient. `offsets` are byte offsets into `heap` (a
   * Uint8Array over the whole memory), in the order `NormPass` lists. Synchronous; throws like `conv`.
   */
  batchNorm(pass: NormPass, heap: Uint8Array, offsets: Float64Array, shape: Float64Array, epsilon: number): void;
  /**
   * One torch.optim.SGD update of `count` float32 values in one pass (on the OpenMP threads for large tensors):
   * d = g + weight_decay·p; buf = first ? d : momentum·buf + (1 − dampening)·d; d = nesterov ? d + momentum·buf :
   * buf; p' = p − lr·d. `offsets` are byte offsets into `heap` of [param, grad, buffer, paramOut, bufferOut]; the
   * buffer ones are ignored without momentum, and `buffer` at the first step. `hyper` is
   * [lr, momentum, dampening, weight_decay, nesterov (0/1), first (0/1)].
   */
  sgdStep(heap: Uint8Array, offsets: Float64Array, count: number, hyper: Float64Array): void;
  /**
   * out = alpha·x + beta·y elementwise, in float32, over three Float32Arrays of one length that may lie in different
   * memories (the wasm heap, a SharedArrayBuffer): one pass; OpenMP over 64 K values.
   */
  axpby(out: Float32Array, x: Float32Array, alpha: number, y: Float32Array, beta: number): void;
  /** OpenMP threads for this JavaScript thread's later calls (each worker thread keeps its own count). */
  setThreads(threads: number): void;
  /** The threads this JavaScript thread's calls use. */
  threads(): number;
}

export type OneDnnLoad = { ok: true; api: OneDnn } | { ok: false; reason: string };

interface Addon {
  conv: OneDnn['conv'];
  batchNorm: OneDnn['batchNorm'];
  sgdStep: OneDnn['sgdStep'];
  axpby: OneDnn['axpby'];
  setThreads: OneDnn['setThreads'];
  threads: OneDnn['threads'];
  version(): string;
}

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where `scripts/build-native.mjs` (node-gyp) puts the addon. */
export const ADDON_PATH = join(packageDir, 'build', 'Release', 'detlab_onednn.node');

let loaded: OneDnnLoad | undefined;

/**
 * The addon, loaded once per thread. Not an error when it is missing: `reason` says why (not built, or built
 * but failing to load) and what to do.
 */
export function loadOneDnn(): OneDnnLoad {
  loaded ??= load();
  return loaded;
}

function load(): OneDnnLoad {
  if (!existsSync(ADDON_PATH)) {
    return {
      ok: false,
      reason: 'the oneDNN addon is not built: install oneDNN (Debian/Ubuntu: apt-get install libdnnl-dev), then run `npm rebuild` or `node packages/onednn/scripts/build-native.mjs`',
    };
  }
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
    const version = addon.version();
    return { ok: true, api: { version, conv: addon.conv, batchNorm: addon.batchNorm, sgdStep: addon.sgdStep, axpby: addon.axpby, setThreads: addon.setThreads, threads: addon.threads } };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n', 1)[0];
    return { ok: false, reason: `the oneDNN addon failed to load (${message}); rebuild it with \`npm rebuild\`` };
  }
}
