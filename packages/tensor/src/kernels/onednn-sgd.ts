/**
 * `DetlabSgdStep` for the wasm backend: torch.optim.SGD's update of one parameter in one native pass
 * (`@detlab/onednn`'s sgdStep), where tfjs ops take seven full-size kernels (issue 11: ~110 ms of a ResNet-50
 * step's optimizer on one thread, 23.5 M parameters). Inputs {param, grad, buffer?}; attrs {lr, momentum,
 * dampening, weightDecay, nesterov}; outputs [param'] without momentum, [param', buffer'] with it. The first
 * step (no buffer yet) starts the buffer at d, as torch does.
 *
 * Registered by `useOneDnn`; only `sgdStepOneDnn` (`ops/sgd-step.ts`) runs it, and only while oneDNN is in use.
 */
import type { OneDnn } from '@detlab/onednn';
import { getKernel, registerKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './kernel-scope.js';

export const SGD_STEP = 'DetlabSgdStep';

/** The hyperparameters of one update, as torch.optim.SGD names them (camel-cased). */
export interface SgdStepAttrs {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

let activeOneDnn: () => OneDnn | undefined = () => undefined;

const sgdStep: KernelFunc = ({ inputs, backend, attrs }) => {
  const { param, grad, buffer } = inputs as { param: TensorInfo; grad: TensorInfo; buffer?: TensorInfo };
  const a = attrs as unknown as SgdStepAttrs;
  const api = activeOneDnn();
  if (api === undefined) throw new Error(`${SGD_STEP}: oneDNN is not in use; call sgdStepOneDnn, which says when to fall back.`);
  const wasm = backend as WasmBackendLike;
  const withMomentum = a.momentum !== 0;
  const outputs = (withMomentum ? [param.shape, param.shape] : [param.shape]).map((shape) => wasm.makeOutput(shape, 'float32'));
  // Views are taken after makeOutput: a heap that grows detaches older ones.
  const at = (t: TensorInfo | undefined) => (t === undefined ? -1 : wasm.typedArrayFromHeap(t).byteOffset);
  const heap = new Uint8Array(wasm.typedArrayFromHeap(outputs[0]!).buffer);
  const offsets = Float64Array.from([at(param), at(grad), at(buffer), at(outputs[0]), at(outputs[1])]);
  const hyper = Float64Array.from([a.lr, a.momentum, a.dampening, a.weightDecay, a.nesterov ? 1 : 0, buffer === undefined ? 1 : 0]);
  try {
    api.sgdStep(heap, offsets, param.shape.reduce((n, d) => n * d, 1), hyper);
  } catch (error) {
    for (const out of outputs) wasm.disposeData(out.dataId);
    throw error;
  }
  return outputs;
};

/** Registers the kernel once per thread; `api` tells it which addon is in use. */
export function registerOneDnnSgdKernel(api: () => OneDnn | undefined): void {
  activeOneDnn = api;
  if (getKernel(SGD_STEP, 'wasm') === undefined) registerKernel({ kernelName: SGD_STEP, backendName: 'wasm', kernelFunc: sgdStep });
}
