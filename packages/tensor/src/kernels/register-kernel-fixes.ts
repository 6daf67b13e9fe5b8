/**
 * The one place where detlab changes TensorFlow.js kernels: what the wasm backend needs to train conv
 * detectors (reference `tfjs-in-node.md` §3.3), and one cpu bug.
 *
 * - wasm: adds `Conv2DBackpropFilter` (missing, tensorflow/tfjs#8474) and `UnsortedSegmentSum` (missing, the
 *   gather gradient, tensorflow/tfjs#8082); replaces the naive-loop `Conv2DBackpropInput` with one built on
 *   XNNPACK's forward convolution;
 * - wasm, for speed (issue 11): `BatchMatMul` with transposed operands becomes an explicit transpose and an
 *   untransposed XNNPACK product; `Sum`/`Mean` over leading axes (BatchNorm statistics, bias gradients) become
 *   one float64 pass over rows; every other case runs tfjs's original kernel;
 * - wasm, for speed: `MaxPoolGrad` becomes one sequential NHWC pass in TypeScript (the C++ kernel takes ~56 ms for
 *   ResNet's stem pool), and `Identity` shares its input's memory instead of copying it, as the cpu backend does
 *   (the engine clones every tensor it saves for the backward pass); `Slice` and `SplitV` copy short rows
 *   (splitting [N, 4] boxes) element by element instead of one `subarray` per row;
 * - wasm, natively: `Conv2D` and both gradients run on oneDNN when `@detlab/onednn` is built and `useOneDnn` is
 *   on (`onednn-conv.ts`); `Conv2D` otherwise stays tfjs's XNNPACK kernel;
 * - cpu: replaces `ResizeNearestNeighborGrad`, wrong for batch > 1 (§4.3).
 *
 * Kernels are looked up by name on every call, so registering after the backend is initialised takes effect at
 * once. `initBackend` calls `registerKernelFixes`; nothing else needs to.
 */
import { engine, getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulWasmConfig } from './batch-mat-mul.js';
import { conv2DWasmConfig } from './conv2d.js';
import { conv2DBackpropFilterWasmConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputWasmConfig } from './conv2d-backprop-input.js';
import { identityWasmConfig } from './identity.js';
import { maxPoolGradWasmConfig } from './max-pool-grad.js';
import { rememberOriginal, takeOriginal } from './original-kernels.js';
import { meanWasmConfig, sumWasmConfig } from './leading-axes-reduce.js';
import { resizeNearestNeighborGradCpuConfig } from './resize-nearest-neighbor-grad-cpu.js';
import { sliceWasmConfig, splitVWasmConfig } from './slice.js';
import { unsortedSegmentSumWasmConfig } from './unsorted-segment-sum.js';

/** The kernels `registerKernelFixes` installs. */
export const KERNEL_FIXES: readonly KernelConfig[] = [
  conv2DWasmConfig,
  conv2DBackpropFilterWasmConfig,
  unsortedSegmentSumWasmConfig,
  conv2DBackpropInputWasmConfig,
  batchMatMulWasmConfig,
  sumWasmConfig,
  meanWasmConfig,
  maxPoolGradWasmConfig,
  identityWasmConfig,
  sliceWasmConfig,
  splitVWasmConfig,
  resizeNearestNeighborGradCpuConfig,
];

/** Marks our kernel configs; compared instead of object identity for the same reason. */
const FIX_MARK = Symbol.for('detlab.kernelFix');
for (const fix of KERNEL_FIXES) Object.defineProperty(fix, FIX_MARK, { value: true });

/**
 * Installs `KERNEL_FIXES`. Idempotent: a kernel that is already ours is left alone, so calling it on every
 * `initBackend` costs a few map look-ups.
 */
export function registerKernelFixes(): void {
  for (const fix of KERNEL_FIXES) {
    const current = lookUp(fix);
    if (current === fix) continue;
    if (current !== undefined) {
      // Another copy's fix is swapped for ours; only a tfjs kernel is remembered as the original.
      if (!isFix(current)) rememberOriginal(current);
      unregisterKernel(fix.kernelName, fix.backendName);
    }
    registerKernel(fix);
  }
}

/**
 * Removes `KERNEL_FIXES` and restores the kernels they replaced (wasm's naive `Conv2DBackpropInput`,
 * `BatchMatMul`, `Sum`, `Mean`, `MaxPoolGrad`, `Identity`, `Slice` and `SplitV`, cpu's `ResizeNearestNeighborGrad`). For
 * benchmarks against the original kernels and for tests; training code has no reason to call it.
 */
export function unregisterKernelFixes(): void {
  for (const fix of KERNEL_FIXES) {
    const current = lookUp(fix);
    if (current === undefined || !isFix(current)) continue;
    unregisterKernel(fix.kernelName, fix.backendName);
    const original = takeOriginal(fix.kernelName, fix.backendName);
    if (original !== undefined) restore(original);
  }
}

/** Whether every kernel of `KERNEL_FIXES` is registered (from this or another copy of this module). */
export function kernelFixesRegistered(): boolean {
  return KERNEL_FIXES.every((fix) => {
    const current = lookUp(fix);
    return current !== undefined && isFix(current);
  });
}

/**
 * Registers a tfjs kernel again and runs its setup. tfjs runs setup functions (for wasm: binding the C++
 * function) when the backend initialises, and `initBackend` registers the fixes before that, so the original
 * may never have been set up.
 */
function restore(original: KernelConfig): void {
  registerKernel(original);
  // engine.registry holds initialised backends only; tf.findBackend would start initialising one, and while an
  // async initialisation (wasm) is pending every tensor operation throws.
  const backend = engine().registry[original.backendName];
  if (backend !== undefined && original.setupFunc !== undefined) original.setupFunc(backend);
}

function isFix(config: KernelConfig): boolean {
  return (config as unknown as Record<symbol, unknown>)[FIX_MARK] === true;
}

function lookUp(fix: KernelConfig): KernelConfig | undefined {
  return getKernel(fix.kernelName, fix.backendName) as KernelConfig | undefined;
}
