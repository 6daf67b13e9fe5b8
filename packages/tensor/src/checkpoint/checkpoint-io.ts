/**
 * Saving and loading named TensorFlow.js tensors as safetensors checkpoints.
 *
 * detlab writes its own layout (`detlab.layout: "nhwc"`) and keeps run metadata (epoch, iteration, config, ...)
 * as one JSON string under `detlab.meta`, since safetensors metadata values must be strings. Loading converts
 * PyTorch-layout files (those made by tools/convert-pth.py) to detlab layout on the way in, so every tensor a
 * caller sees is in detlab layout. Writes are atomic: a crash mid-save leaves the previous checkpoint intact.
 */
import { isPlainObject, NodeFileAccess, type FileAccess } from '@detlab/core';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './checkpoint-error.js';
import type { SafetensorsDtype, TensorData } from './dtypes.js';
import { convertLayout, LAYOUT_METADATA_KEY, layoutOf, type CheckpointLayout, type KindOf } from './layout.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from './safetensors.js';

/** The safetensors metadata key that holds a checkpoint's JSON metadata. */
export const META_METADATA_KEY = 'detlab.meta';

/** Options of `saveCheckpoint`. */
export interface SaveCheckpointOptions {
  /** Where to write; the local file system by default (resolve `FILE_ACCESS` to honour a run's container). */
  fileAccess?: FileAccess;
}

/** Options of `loadCheckpoint`. */
export interface LoadCheckpointOptions {
  /** Kind of each parameter by its name in the file, to convert PyTorch layout; unknown names use `guessKind`. */
  kinds?: KindOf;
  /** Keeps only the tensors whose names pass, so loading a backbone out of a detector allocates no more. */
  filter?: (name: string) => boolean;
  /** Where to read from; the local file system by default. */
  fileAccess?: FileAccess;
}

/** A checkpoint read into tensors. */
export interface LoadedCheckpoint {
  /** Tensors by name, in detlab layout; the caller owns (and disposes) them. */
  state: Map<string, tf.Tensor>;
  /** The JSON metadata saved with the checkpoint; `{}` for a file without any (a converted PyTorch one). */
  metadata: Record<string, unknown>;
  /** The layout the file was in before conversion. */
  layout: CheckpointLayout;
  /** The raw safetensors `__metadata__` strings. */
  fileMetadata: Record<string, string>;
}

/** How each TensorFlow.js dtype is stored; int32 stays int32 (not PyTorch's int64), as no value needs more. */
const FILE_DTYPE: Partial<Record<tf.DataType, SafetensorsDtype>> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };

/** The TensorFlow.js dtype each file dtype loads as; the float types widen or narrow to float32. */
const TENSOR_DTYPE: Readonly<Record<SafetensorsDtype, tf.DataType>> = {
  F32: 'float32',
  F16: 'float32',
  BF16: 'float32',
  F64: 'float32',
  I64: 'int32',
  I32: 'int32',
  U8: 'int32', // TensorFlow.js has no uint8 tensors
  BOOL: 'bool',
};

/**
 * Writes tensors in detlab layout with JSON `metadata`, atomically (temporary file, fsync, rename). The tensors
 * are only read, never disposed. The same state and metadata always give the same bytes.
 *
 * @example
 * await saveCheckpoint('work_dirs/atss/epoch_3.safetensors', model.stateDict(), { epoch: 3, iter: 3000 });
 */
export async function saveCheckpoint(
  path: string,
  state: ReadonlyMap<string, tf.Tensor>,
  metadata: Record<string, unknown> = {},
  options: SaveCheckpointOptions = {},
): Promise<void> {
  const records = new Map<string, SafetensorsTensor>();
  for (const [name, tensor] of state) {
    if (tensor.isDisposed) {
      throw new CheckpointError(`cannot save tensor '${name}': it is already disposed`, { file: path });
    }
    const dtype = FILE_DTYPE[tensor.dtype];
    if (!dtype) {
      throw new CheckpointError(`cannot save tensor '${name}': dtype ${tensor.dtype} has no safetensors form`, {
        file: path,
      });
    }
    // data() rather than dataSync(): it lets GPU backends download without blocking.
    records.set(name, { dtype, shape: [...tensor.shape], data: (await tensor.data()) as TensorData });
  }
  const fileMetadata = { [LAYOUT_METADATA_KEY]: 'nhwc', [META_METADATA_KEY]: metadataJson(metadata, path) };
  await (options.fileAccess ?? new NodeFileAccess()).writeAtomic(path, encodeSafetensors(records, fileMetadata));
}

/**
 * Reads a safetensors checkpoint into tensors in detlab layout. A PyTorch-layout file is converted with
 * `options.kinds`; a detlab one is taken as it is. Nothing is left allocated when it throws.
 *
 * @example
 * const { state, metadata } = await loadCheckpoint('resnet50.safetensors', { kinds: (name) => model.kindOf(name) });
 */
export async function loadCheckpoint(path: string, options: LoadCheckpointOptions = {}): Promise<LoadedCheckpoint> {
  const bytes = await readCheckpointBytes(path, options.fileAccess ?? new NodeFileAccess());
  const { tensors, metadata: fileMetadata } = decodeSafetensors(bytes, { file: path });
  const layout = layoutOf(fileMetadata, path);
  const metadata = parseMetadataJson(fileMetadata[META_METADATA_KEY], path);
  const wanted = options.filter ? new Map([...tensors].filter(([name]) => options.filter!(name))) : tensors;
  let converted: ReadonlyMap<string, SafetensorsTensor>;
  try {
    converted = convertLayout(wanted, layout, 'nhwc', options.kinds);
  } catch (error) {
    throw new CheckpointError((error as Error).message, { file: path, cause: error });
  }

  const state = new Map<string, tf.Tensor>();
  try {
    for (const [name, { dtype, shape, data }] of converted) {
      state.set(name, tf.tensor(data, shape, TENSOR_DTYPE[dtype]));
    }
  } catch (error) {
    for (const tensor of state.values()) tensor.dispose();
    throw error;
  }
  return { state, metadata, layout, fileMetadata };
}

/** Reads the whole file, turning "no such file" into an error that says which file and what to do. */
async function readCheckpointBytes(path: string, files: FileAccess): Promise<Uint8Array> {
  try {
    return await files.readBytes(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CheckpointError('checkpoint file not found', {
        file: path,
        cause: error,
        hint:
          'Check the path (relative paths start at the working directory); ' +
          'convert a PyTorch .pth with tools/convert-pth.py.',
      });
    }
    throw new CheckpointError(`cannot read checkpoint: ${(error as Error).message}`, { file: path, cause: error });
  }
}

/** Encodes metadata as JSON with sorted object keys, so equal metadata always gives equal bytes. */
function metadataJson(metadata: Record<string, unknown>, file: string): string {
  try {
    return JSON.stringify(metadata, (_key, value: unknown) =>
      isPlainObject(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => compareKeys(a, b))) : value,
    );
  } catch (error) {
    throw new CheckpointError(`checkpoint metadata cannot be saved as JSON: ${(error as Error).message}`, {
      file,
      cause: error,
    });
  }
}

/** Code-unit order, the same on every machine (localeCompare is not). */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Parses the `detlab.meta` JSON; a file without it has empty metadata. */
function parseMetadataJson(text: string | undefined, file: string): Record<string, unknown> {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`metadata '${META_METADATA_KEY}' is not valid JSON (${(error as Error).message})`, {
      file,
      cause: error,
    });
  }
  if (!isPlainObject(parsed)) {
    throw new CheckpointError(`metadata '${META_METADATA_KEY}' must be a JSON object, got ${JSON.stringify(parsed)}`, {
      file,
    });
  }
  return parsed;
}
