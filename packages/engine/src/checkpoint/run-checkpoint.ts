/**
 * What a runner checkpoint holds, as MMEngine's `Runner.save_checkpoint` dict (mmdet-semantics §3.7).
 *
 * In memory it is one object; on disk it is one safetensors file: every tensor (model weights under
 * `state_dict.*`, optimizer slots under `optimizer.*`, EMA weights under `ema_state_dict.*`, ...) in the
 * tensor section, everything else as JSON metadata. Hooks may add keys in `beforeSaveCheckpoint`.
 *
 * @example
 * const checkpoint: RunCheckpoint = { meta: { epoch: 3, iter: 300, ... }, state_dict: model.stateDict() };
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { MessageHubState } from '../logging/message-hub.js';

/** The `meta` of a checkpoint: where training was, and what it was training. */
export interface CheckpointMeta {
  /** Epochs completed (epoch-based saves store `epoch + 1`); the epoch a resumed run starts in. */
  epoch: number;
  /** Iterations completed; the iteration a resumed run starts at. */
  iter: number;
  /** The resolved config as JSON text. */
  cfg: string;
  /** The run's random seed. */
  seed: number;
  /** The run folder's name (`2026-11-28_14-03-44_a1b2c`). */
  experiment_name: string;
  /** When it was saved, `YYYYMMDD_HHMMSS` (local time), as MMEngine. */
  time: string;
  /** Version of @detlab/engine that wrote it. */
  detlab_version: string;
  /** The train dataset's `metainfo` (classes, palette), when it has one. */
  dataset_meta?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Randomness to restore on resume; see `runner/randomness.ts`. */
export interface RngState {
  /** The run's seed. */
  seed: number;
  /** The epoch whose seed tensor's random sequence was last reset to. */
  epoch: number;
}

/** A runner checkpoint; see the file comment. */
export interface RunCheckpoint {
  meta: CheckpointMeta;
  /** The model's parameters and buffers by name (the model's own tensors when saving: never dispose them). */
  state_dict: Map<string, tf.Tensor>;
  /** The optim wrapper's `stateDict()`; absent when `save_optimizer` is off. */
  optimizer?: unknown;
  /** Each parameter scheduler's `stateDict()`, in build order. */
  param_schedulers?: unknown[];
  /** The message hub's state. */
  message_hub?: MessageHubState;
  /** Random state; see `RngState`. */
  rng?: RngState;
  /** The state of each hook that has one, by its `stateKey`. */
  hooks?: Record<string, unknown>;
  [key: string]: unknown;
}
