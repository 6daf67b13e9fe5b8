/**
 * Config validation of the runner's top-level keys, registered with core's `registerConfigKey`, so that a
 * whole config is checked with config paths before any tensor exists (`validate-config`, the trainer).
 *
 * `train_cfg`/`val_cfg`/`test_cfg` are checked against the schema of the loop they build (type defaulting as
 * the runner defaults it); `runner_type` must name a class in RUNNERS; the rest are plain values.
 *
 * @example
 * validateConfig({ train_cfg: { type: 'EpochBasedTrainLoop', max_epoch: 12 } });
 * // [{ path: 'train_cfg.max_epochs', ... }, { path: 'train_cfg', message: "unknown key 'max_epoch' ..." }]
 */
import { LOOPS, RUNNERS, describeValue, isPlainObject, registerConfigKey, withDefaultScope, type RegistryEntry } from '@detlab/core';
import { z, type ZodType } from 'zod';
import { defaultLoopType } from './build-loops.js';

/** The schema of a loop config key, as `buildLoop` reads it. */
export function loopConfigSchema(key: 'train_cfg' | 'val_cfg' | 'test_cfg'): ZodType {
  return z.any().superRefine((node: unknown, ctx) => {
    if (node === undefined || node === null) return;
    if (!isPlainObject(node)) {
      ctx.addIssue({ code: 'custom', message: `expected a loop config (an object), got ${describeValue(node)}`, input: undefined });
      return;
    }
    // `_scope_` (a plugin's base config sets it) is the scope the loop's name is looked up in, not a loop option.
    const { type, by_epoch: _byEpoch, _scope_: scope, ...options } = node;
    const name = type ?? defaultLoopType(key, node);
    let entry: RegistryEntry;
    try {
      if (typeof name !== 'string') throw new Error(`expected the name of a loop in LOOPS, got ${describeValue(name)}`);
      entry = withDefaultScope(typeof scope === 'string' ? scope : undefined, () => LOOPS.resolve(name));
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: (error as Error).message, input: undefined });
      return;
    }
    for (const issue of entry.schema?.safeParse(options).error?.issues ?? []) {
      ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message, input: undefined });
    }
  });
}

/** `randomness`: MMEngine's keys; `seed` fixes the run's seed. */
export const randomnessSchema = z.strictObject({
  seed: z.int().nonnegative().nullable().optional(),
  deterministic: z.boolean().optional(),
  diff_rank_seed: z.boolean().optional(),
});

/** `log_processor`: MMEngine's LogProcessor keys; `window_size` is the one LoggerHook reads. */
export const logProcessorSchema = z.looseObject({
  type: z.string().optional(),
  window_size: z.int().positive().optional(),
  by_epoch: z.boolean().optional(),
});

const runnerType = z.string().refine((name) => RUNNERS.has(name), { message: "expected the name of a runner in RUNNERS (e.g. 'Runner')" });

// `.optional()`: a refined z.any() is a required key in a zod object otherwise.
registerConfigKey('train_cfg', () => loopConfigSchema('train_cfg').optional());
registerConfigKey('val_cfg', () => loopConfigSchema('val_cfg').optional());
registerConfigKey('test_cfg', () => loopConfigSchema('test_cfg').optional());
registerConfigKey('runner_type', () => runnerType.optional());
registerConfigKey('randomness', () => randomnessSchema.optional());
registerConfigKey('log_processor', () => logProcessorSchema.optional());
registerConfigKey('log_level', () => z.enum(['DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR', 'debug', 'info', 'warning', 'warn', 'error']).optional());
registerConfigKey('work_dir', () => z.string().optional());
registerConfigKey('resume', () => z.boolean().optional());
registerConfigKey('load_from', () => z.string().nullable().optional());
