/**
 * Batching of packed samples: mmengine's `pseudo_collate` for detection, which lists inputs and data samples
 * side by side without stacking (images of a batch may differ in size; the data preprocessor pads them).
 *
 * @example
 * const batch = collate([await dataset.get(0), await dataset.get(1)]); // { inputs: [2 images], data_samples: [2] }
 */
import type { DetBatch } from '@detlab/tensor';
import type { PackedDetInputs } from '../transforms/transform.js';

/**
 * A `DetBatch` of `samples`, index-aligned.
 *
 * @example
 * collate(samples).inputs[0] === samples[0].input; // true
 */
export function collate(samples: readonly PackedDetInputs[]): DetBatch {
  return { inputs: samples.map((s) => s.input), data_samples: samples.map((s) => s.data_sample) };
}

/**
 * The distinct ArrayBuffers under `value` (typed arrays in nested objects and arrays), to transfer rather than
 * copy when posting it to another thread. Shared buffers are left out: they are shared, not moved.
 *
 * @example
 * parentPort.postMessage(samples, transferables(samples));
 */
export function transferables(value: unknown, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) transferables(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) transferables(item, found);
  }
  return [...found];
}
