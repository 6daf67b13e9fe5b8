/**
 * Writing and reading a `RunCheckpoint` as one safetensors file (tensor's `saveCheckpoint`/`loadCheckpoint`).
 *
 * Tensors go to the tensor section under their dotted paths (`state_dict.*`, `optimizer.*`); the rest is the
 * JSON metadata, tagged with `format` so a weights-only file (a converted PyTorch backbone) is told apart from a
 * resumable one. Writes are atomic: a crash mid-save leaves the previous file, if any, as it was.
 *
 * @example
 * await writeRunCheckpoint('work_dirs/toy/2026-11-28_14-03-44_a1b2c/epoch_2.safetensors', checkpoint);
 * const loaded = await readRunCheckpoint('.../epoch_2.safetensors'); // dispose with disposeRunCheckpoint
 */
import type { FileAccess } from '@detlab/core';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from '@detlab/tensor';
import * as tf from '@tensorflow/tfjs-core';
import type { RunCheckpoint } from './run-checkpoint.js';
import { decodeState, encodeState } from './state-codec.js';

/** The `format` tag of runner checkpoints in the metadata. */
export const RUN_CHECKPOINT_FORMAT = 'detlab-run-checkpoint/1';

/** Writes `checkpoint` to `path` atomically; its tensors are read, never disposed. */
export async function writeRunCheckpoint(path: string, checkpoint: RunCheckpoint, fileAccess?: FileAccess): Promise<void> {
  const tensors = new Map<string, tf.Tensor>();
  const metadata: Record<string, unknown> = { format: RUN_CHECKPOINT_FORMAT };
  for (const [key, value] of Object.entries(checkpoint)) {
    if (value !== undefined) metadata[key] = encodeState(value, key, tensors);
  }
  await saveCheckpoint(path, tensors, metadata, { fileAccess });
}

/** Options of `readRunCheckpoint`. */
export interface ReadRunCheckpointOptions {
  fileAccess?: FileAccess;
  /** Top-level keys whose tensors to read (all by default); `['state_dict']` reads only the weights. */
  keys?: readonly string[];
}

/**
 * Reads a checkpoint written by `writeRunCheckpoint`. The caller owns its tensors: free them with
 * `disposeRunCheckpoint`. Throws a `CheckpointError` naming the file when it is not a runner checkpoint.
 */
export async function readRunCheckpoint(path: string, options: ReadRunCheckpointOptions = {}): Promise<RunCheckpoint> {
  const { keys } = options;
  const filter = keys ? (name: string) => keys.some((key) => name.startsWith(`${key}.`)) : undefined;
  const { state, metadata } = await loadCheckpoint(path, { fileAccess: options.fileAccess, filter });
  if (metadata.format !== RUN_CHECKPOINT_FORMAT) {
    tf.dispose([...state.values()]);
    throw new CheckpointError(`not a runner checkpoint (metadata format ${JSON.stringify(metadata.format)}, expected '${RUN_CHECKPOINT_FORMAT}')`, {
      file: path,
      hint: 'Resume needs a checkpoint a detlab run saved; to start from a weights-only file, use load_from without resume.',
    });
  }
  const checkpoint: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key === 'format' || (keys && !keys.includes(key) && key !== 'meta')) continue;
    checkpoint[key] = decodeState(value, state);
  }
  return checkpoint as unknown as RunCheckpoint;
}

/** Frees every tensor a checkpoint read by `readRunCheckpoint` holds (each once, wherever it is referenced). */
export function disposeRunCheckpoint(checkpoint: RunCheckpoint): void {
  const seen = new Set<tf.Tensor>();
  const walk = (value: unknown): void => {
    if (value instanceof tf.Tensor) seen.add(value);
    else if (value instanceof Map) value.forEach(walk);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(checkpoint);
  for (const tensor of seen) if (!tensor.isDisposed) tensor.dispose();
}
