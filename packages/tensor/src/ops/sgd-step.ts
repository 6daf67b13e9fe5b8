/**
 * torch.optim.SGD's update of one parameter in one native pass, while oneDNN's addon is in use on wasm
 * (`kernels/onednn-sgd.ts`); the engine's SGD falls back to tf ops when this returns undefined.
 */
import * as tf from '@tensorflow/tfjs-core';
import { oneDnnActive } from '../kernels/onednn-conv.js';
import { SGD_STEP, type SgdStepAttrs } from '../kernels/onednn-sgd.js';

export type { SgdStepAttrs } from '../kernels/onednn-sgd.js';

/**
 * The updated parameter and momentum buffer (new tensors; the caller assigns them), computing
 *   d = g + weightDecay·p;  buf = first ? d : momentum·buf + (1 − dampening)·d;  d = nesterov ? d + momentum·buf : buf;
 *   p' = p − lr·d
 * in float32, with `buffer` undefined at the first step. Undefined (nothing computed) unless the backend is wasm,
 * oneDNN is in use and every tensor is float32.
 */
export function sgdStepOneDnn(
  param: tf.Tensor,
  grad: tf.Tensor,
  buffer: tf.Tensor | undefined,
  attrs: SgdStepAttrs,
): { param: tf.Tensor; buffer?: tf.Tensor } | undefined {
  if (!oneDnnActive() || tf.getBackend() !== 'wasm') return undefined;
  if ([param, grad, buffer].some((t) => t !== undefined && t.dtype !== 'float32')) return undefined;
  const inputs: tf.NamedTensorMap = buffer === undefined || attrs.momentum === 0 ? { param, grad } : { param, grad, buffer };
  const [next, nextBuffer] = tf.engine().runKernel(SGD_STEP, inputs, { ...attrs }) as tf.Tensor[];
  return { param: next!, buffer: nextBuffer };
}
