/**
 * The `env_cfg` config key: where a run executes, and on how many threads training runs. Registered with the config schema so that a typo in
 * `env_cfg.backend` is reported, with its config path, before anything is built.
 *
 * @example
 * env_cfg: { backend: 'auto' } // tensorflow-gpu, tensorflow, webgpu, then wasm: the first that loads
 * env_cfg: { backend: 'wasm', num_threads: 'auto' } // the default: convolutions on every core
 * env_cfg: { backend: 'wasm', num_workers_train: 'auto' } // data-parallel over one thread per core
 */
import { registerConfigKey } from '@detlab/core';
import { z } from 'zod';
import { BACKEND_CHOICES } from './candidates.js';
import { MAX_WASM_THREADS } from './wasm-threads.js';

/** `env_cfg` as configs write it; other keys (MMEngine's `cudnn_benchmark`, `dist_cfg`, ...) pass through. */
export const envCfgSchema = z.looseObject({
  backend: z.enum(BACKEND_CHOICES).default('auto'),
  /**
   * Data-parallel training replicas, this thread included: 1 trains on this thread alone; N > 1 adds N − 1
   * worker threads that each train on a shard of every batch; 'auto' is one per core (os.availableParallelism()).
   */
  num_workers_train: z.union([z.int().positive(), z.literal('auto')]).default(1),
  /**
   * Threads of the wasm backend's convolutions and matrix products (XNNPACK's pool), like
   * `torch.set_num_threads`: 'auto' is one per core, shared out between data-parallel replicas; 1 is tfjs's
   * single-threaded build. Other backends manage their own threads.
   */
  num_threads: z.union([z.int().min(1).max(MAX_WASM_THREADS), z.literal('auto')]).default('auto'),
  /**
   * Run the wasm backend's convolutions (forward and both gradients) on oneDNN, on `num_threads` threads, when
   * @detlab/onednn's addon is built (it is when oneDNN is installed: `apt-get install libdnnl-dev`); false keeps
   * them on wasm's XNNPACK kernels. The log says which ran.
   */
  onednn: z.boolean().default(true),
});

/** `env_cfg` after validation. */
export type EnvCfg = z.output<typeof envCfgSchema>;

registerConfigKey('env_cfg', () => envCfgSchema.optional());
