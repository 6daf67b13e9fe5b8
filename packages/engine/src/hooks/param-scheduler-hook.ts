/**
 * `ParamSchedulerHook`: steps the parameter schedulers, as MMEngine's: iteration-based ones after every
 * training iteration, epoch-based ones after every training epoch. Runs after LoggerHook (LOW), so a logged
 * line shows the learning rate the iteration used.
 *
 * @example
 * default_hooks: { param_scheduler: { type: 'ParamSchedulerHook' } }
 */
import { HOOKS } from '@detlab/core';
import { z } from 'zod';
import { Hook } from './hook.js';
import { prioritySchema, type Priority } from './priority.js';
import type { Runner } from '../runner/runner.js';

/** Options of `ParamSchedulerHook`: none besides `priority`. */
export const paramSchedulerHookSchema = z.strictObject({ priority: prioritySchema.optional() });

/** Steps schedulers; see the file comment. */
@HOOKS.register({ name: 'ParamSchedulerHook', schema: paramSchedulerHookSchema, description: 'Steps parameter schedulers per iteration or epoch (MMEngine).' })
export class ParamSchedulerHook extends Hook {
  static override readonly defaultPriority: Priority = 'LOW';

  override afterTrainIter(runner: Runner): void {
    for (const scheduler of runner.paramSchedulers) if (!scheduler.byEpoch) scheduler.step();
  }

  override afterTrainEpoch(runner: Runner): void {
    for (const scheduler of runner.paramSchedulers) if (scheduler.byEpoch) scheduler.step();
  }
}
