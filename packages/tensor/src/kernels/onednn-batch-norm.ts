/**
 * Train-mode batch normalisation on oneDNN for the wasm backend: two kernels of detlab's own and the gradient
 * that links them, so that a BatchNorm layer in training costs one native pass forward (statistics and
 * normalisation together) and one backward, where the tfjs route takes a statistics pass and two full-size
 * kernels forward and a statistics pass and four full-size kernels backward (`ops/batch-norm-train.ts`).
 *
 * - `DetlabBatchNormTrain`: {x, scale, offset}, {epsilon} → [y, batch mean, biased batch variance];
 * - `DetlabBatchNormTrainGrad`: {x, mean, variance, dy, scale}, {epsilon} → [dx, dscale, doffset];
 * - the gradient of the first runs the second once, whichever of x, scale and offset the tape asks for.
 *
 * Registered by `useOneDnn`; only `batchNormTrain` (`ops/batch-norm-train.ts`) runs them, and only while oneDNN
 * is in use.
 */
import { NormPass, type OneDnn } from '@detlab/onednn';
import {
  engine,
  getGradient,
  getKernel,
  registerGradient,
  registerKernel,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './kernel-scope.js';

export const BATCH_NORM_TRAIN = 'DetlabBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'DetlabBatchNormTrainGrad';

interface NormAttrs {
  epsilon: number;
}

/** Runs one oneDNN pass: `inputs` are read, outputs of the given shapes are made and written. */
function runNorm(api: OneDnn, backend: WasmBackendLike, pass: NormPass, x: TensorInfo, inputs: TensorInfo[], outShapes: number[][], epsilon: number): TensorInfo[] {
  const outputs = outShapes.map((shape) => backend.makeOutput(shape, 'float32'));
  // Views are taken after makeOutput: a heap that grows detaches older ones.
  const views = [...inputs, ...outputs].map((t) => backend.typedArrayFromHeap(t));
  const heap = new Uint8Array(views[0]!.buffer);
  try {
    api.batchNorm(pass, heap, Float64Array.from(views, (v) => v.byteOffset), Float64Array.from(x.shape), epsilon);
  } catch (error) {
    for (const out of outputs) backend.disposeData(out.dataId);
    throw error;
  }
  return outputs;
}

/** The addon while oneDNN is in use (set by `registerOneDnnNormKernels`: importing it here would be a cycle). */
let activeOneDnn: () => OneDnn | undefined = () => undefined;

function activeApi(kernelName: string): OneDnn {
  const api = activeOneDnn();
  if (api === undefined) throw new Error(`${kernelName}: oneDNN is not in use; call batchNormTrainOneDnn, which says when to fall back to tf ops.`);
  return api;
}

const forward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, scale, offset } = inputs as { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
  const channels = [x.shape[3]!];
  const api = activeApi(BATCH_NORM_TRAIN);
  return runNorm(api, backend as WasmBackendLike, NormPass.Forward, x, [x, scale, offset], [x.shape, channels, channels], (attrs as unknown as NormAttrs).epsilon);
};

const backward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, mean, variance, dy, scale } = inputs as Record<'x' | 'mean' | 'variance' | 'dy' | 'scale', TensorInfo>;
  const channels = [x.shape[3]!];
  const api = activeApi(BATCH_NORM_TRAIN_GRAD);
  return runNorm(api, backend as WasmBackendLike, NormPass.Backward, x, [x, mean, variance, dy, scale], [x.shape, channels, channels], (attrs as unknown as NormAttrs).epsilon);
};

/**
 * Registers the two kernels and the gradient, once per thread (tfjs's registries are per thread); `api` tells
 * the kernels which addon is in use.
 */
export function registerOneDnnNormKernels(api: () => OneDnn | undefined): void {
  activeOneDnn = api;
  if (getKernel(BATCH_NORM_TRAIN, 'wasm') === undefined) registerKernel({ kernelName: BATCH_NORM_TRAIN, backendName: 'wasm', kernelFunc: forward });
  if (getKernel(BATCH_NORM_TRAIN_GRAD, 'wasm') === undefined) registerKernel({ kernelName: BATCH_NORM_TRAIN_GRAD, backendName: 'wasm', kernelFunc: backward });
  if (getGradient(BATCH_NORM_TRAIN) === undefined) {
    registerGradient({
      kernelName: BATCH_NORM_TRAIN,
      inputsToSave: ['x', 'scale'],
      outputsToSave: [false, true, true],
      gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
        const dy = (Array.isArray(dys) ? dys[0] : dys)!;
        const [x, scale, mean, variance] = saved as [Tensor, Tensor, Tensor, Tensor];
        // One kernel gives all three gradients, so it runs here rather than in the per-input functions: tfjs runs
        // each of those in its own tidy, which would free the two outputs it does not return. What no input
        // asks for is freed with the backward pass's scope.
        const [dx, dScale, dOffset] = engine().runKernel(BATCH_NORM_TRAIN_GRAD, { x, mean, variance, dy, scale }, attrs) as Tensor[];
        return { x: () => dx!, scale: () => dScale!, offset: () => dOffset! };
      },
    });
  }
}
