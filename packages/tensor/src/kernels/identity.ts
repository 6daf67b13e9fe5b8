/**
 * `Identity` for wasm that shares the input's memory instead of copying it.
 *
 * tfjs's engine runs `Identity` (`Engine.clone`) for every tensor it saves for the backward pass: ~1260 calls in a
 * ResNet-50 train step, ~38 ms of copies on wasm, whose kernel allocates and fills a new buffer each time. The
 * cpu backend's kernel aliases instead: one more reference to the same data. The wasm backend counts references
 * the same way (`incRef`, and `disposeData` frees the memory with the last one), and no wasm kernel writes into
 * its inputs, so a clone and its source can share one buffer, as wasm's own `Reshape` already does. Strings
 * live outside the heap and go to the original kernel.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { runOriginal, setUpOriginal } from './original-kernels.js';

/** The wasm backend's reference count of a tensor's data. */
interface RefCountedBackend {
  incRef(dataId: object): void;
}

export const identityWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  if (x.dtype === 'string') return runOriginal('Identity', 'wasm', { inputs, attrs, backend });
  // The engine releases each tensor's reference on dispose; the buffer lives until the last one goes.
  (backend as RefCountedBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

export const identityWasmConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identityWasm,
  setupFunc: setUpOriginal('Identity', 'wasm'),
};
