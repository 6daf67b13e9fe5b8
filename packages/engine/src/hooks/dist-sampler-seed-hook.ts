/**
 * `DistSamplerSeedHook`: tells the train dataloader (or its sampler) which epoch starts, as MMEngine's, so a
 * seeded sampler shuffles by (seed, epoch): different every epoch, identical in a resumed run.
 *
 * @example
 * default_hooks: { sampler_seed: { type: 'DistSamplerSeedHook' } }
 */
import { HOOKS } from '@detlab/core';
import { z } from 'zod';
import { Hook } from './hook.js';
import { prioritySchema, type Priority } from './priority.js';
import type { Runner } from '../runner/runner.js';

/** Options of `DistSamplerSeedHook`: none besides `priority`. */
export const distSamplerSeedHookSchema = z.strictObject({ priority: prioritySchema.optional() });

/** Calls `setEpoch` before each training epoch; see the file comment. */
@HOOKS.register({ name: 'DistSamplerSeedHook', schema: distSamplerSeedHookSchema, description: 'Calls setEpoch on the train sampler each epoch (MMEngine).' })
export class DistSamplerSeedHook extends Hook {
  static override readonly defaultPriority: Priority = 'NORMAL';

  override beforeTrainEpoch(runner: Runner): void {
    const loader = runner.trainDataloader;
    if (loader?.setEpoch) loader.setEpoch(runner.epoch);
    else loader?.sampler?.setEpoch?.(runner.epoch);
  }
}
