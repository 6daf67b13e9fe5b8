/**
 * `Conv2D` for the wasm backend: on oneDNN when it is in use (`onednn-conv.ts`), otherwise tfjs's own XNNPACK
 * kernel, which also keeps NCHW and every case oneDNN refuses.
 */
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { ConvAttrs } from './conv-geometry.js';
import type { WasmBackendLike } from './kernel-scope.js';
import { ConvPass, oneDnnActive, runOnWasmHeap } from './onednn-conv.js';
import { runOriginal, setUpOriginal } from './original-kernels.js';

export const conv2DWasm: KernelFunc = (args) => {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const a = args.attrs as unknown as ConvAttrs;
  if (oneDnnActive() && a.dataFormat !== 'NCHW') {
    type Shape4 = [number, number, number, number];
    const info = backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const out = runOnWasmHeap(args.backend as WasmBackendLike, ConvPass.Forward, x, filter, [...info.outShape], {
      batch: info.batchSize,
      inH: info.inHeight,
      inW: info.inWidth,
      inC: info.inChannels,
      outC: info.outChannels,
      kH: info.filterHeight,
      kW: info.filterWidth,
      outH: info.outHeight,
      outW: info.outWidth,
      strideH: info.strideHeight,
      strideW: info.strideWidth,
      dilationH: info.dilationHeight,
      dilationW: info.dilationWidth,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
      padBottom: info.padInfo.bottom,
      padRight: info.padInfo.right,
    });
    if (out !== undefined) return out;
  }
  return runOriginal('Conv2D', 'wasm', args);
};

export const conv2DWasmConfig: KernelConfig = {
  kernelName: 'Conv2D',
  backendName: 'wasm',
  kernelFunc: conv2DWasm,
  setupFunc: setUpOriginal('Conv2D', 'wasm'),
};
