/**
 * `BatchMatMul` for wasm with transposed operands made explicit.
 *
 * wasm hands XNNPACK only untransposed operands at full speed; with `transposeA` or `transposeB` set it is 14–46×
 * slower (1024³: 80 ms plain, 1.1 s transposeB, 3.7 s transposeA), and tfjs's matMul gradient sets exactly
 * those flags (dA = dy·Bᵀ, dB = Aᵀ·dy). Transposing the operand first costs one copy (`transposeLastTwo`), then
 * the original kernel multiplies without flags. Untransposed calls go straight to the original.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { withKernelScope, type KernelBackendLike } from './kernel-scope.js';
import { runOriginal, setUpOriginal } from './original-kernels.js';
import { transposeLastTwo } from './transpose-matrix.js';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

export const batchMatMulWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as MatMulAttrs;
  const shared = transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
  // An empty shared axis stays with the original and its flags: without flags wasm leaves that output unwritten.
  if ((!transposeA && !transposeB) || shared === 0) return runOriginal('BatchMatMul', 'wasm', { inputs, attrs, backend });
  return withKernelScope(backend as KernelBackendLike, 'wasm', (scope) => {
    const left = transposeA ? transposeLastTwo(scope, a) : a;
    const right = transposeB ? transposeLastTwo(scope, b) : b;
    const plain = { transposeA: false, transposeB: false };
    return scope.track(runOriginal('BatchMatMul', 'wasm', { inputs: { a: left, b: right }, attrs: plain, backend }) as TensorInfo);
  });
};

export const batchMatMulWasmConfig: KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: batchMatMulWasm,
  setupFunc: setUpOriginal('BatchMatMul', 'wasm'),
};
