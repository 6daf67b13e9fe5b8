/**
 * The `env_cfg` config key: where a run executes. Registered with the config schema so that a typo in
 * `env_cfg.backend` is reported, with its config path, before anything is built.
 *
 * @example
 * env_cfg: { backend: 'auto' } // tensorflow-gpu, tensorflow, webgpu, then wasm: the first that loads
 */
import { registerConfigKey } from '@detlab/core';
import { z } from 'zod';
import { BACKEND_CHOICES } from './candidates.js';

/** `env_cfg` as configs write it; other keys (MMEngine's `cudnn_benchmark`, `dist_cfg`, ...) pass through. */
export const envCfgSchema = z.looseObject({ backend: z.enum(BACKEND_CHOICES).default('auto') });

/** `env_cfg` after validation. */
export type EnvCfg = z.output<typeof envCfgSchema>;

registerConfigKey('env_cfg', () => envCfgSchema.optional());
