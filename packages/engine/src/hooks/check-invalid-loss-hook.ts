/**
 * `CheckInvalidLossHook`: stops training at the first NaN or infinite loss, as mmdet's, naming the iteration
 * and the loss key, so a diverging run fails where it diverged instead of training on garbage. The losses are
 * already numbers after each step, so checking every iteration (the default here; mmdet checks every 50) costs
 * nothing. No checkpoint is written for the failed iteration.
 *
 * @example
 * custom_hooks: [{ type: 'CheckInvalidLossHook', interval: 1 }]
 */
import { DetlabError, HOOKS } from '@detlab/core';
import { z } from 'zod';
import { Hook, everyNTrainIters } from './hook.js';
import { prioritySchema, type Priority } from './priority.js';
import type { Runner } from '../runner/runner.js';

/** Options of `CheckInvalidLossHook`. */
export const checkInvalidLossHookSchema = z.strictObject({
  /** Check every this many iterations. */
  interval: z.int().positive().default(1),
  priority: prioritySchema.optional(),
});

/** The NaN/Inf-loss guard; see the file comment. */
@HOOKS.register({ name: 'CheckInvalidLossHook', schema: checkInvalidLossHookSchema, description: 'Stops at the first NaN or infinite loss (mmdet).' })
export class CheckInvalidLossHook extends Hook {
  static override readonly defaultPriority: Priority = 'NORMAL';
  readonly interval: number;

  constructor(options: z.input<typeof checkInvalidLossHookSchema> = {}) {
    super();
    this.interval = checkInvalidLossHookSchema.parse(options).interval;
  }

  override afterTrainIter(runner: Runner, batchIdx: number, _dataBatch?: unknown, outputs?: Record<string, number>): void {
    if (!outputs || !everyNTrainIters(runner, this.interval)) return;
    const bad = Object.entries(outputs).filter(([key, value]) => key.includes('loss') && !Number.isFinite(value));
    if (bad.length === 0) return;
    const where = runner.trainLoop?.byEpoch
      ? `iteration ${runner.iter + 1} (epoch ${runner.epoch + 1}, batch ${batchIdx + 1} of ${runner.trainDataloader?.length})`
      : `iteration ${runner.iter + 1}`;
    throw new DetlabError(`[CheckInvalidLossHook] ${bad.map(([k, v]) => `${k} is ${v}`).join(', ')} at ${where}`, {
      hint: 'Lower the learning rate, add optim_wrapper.clip_grad, or check this batch\'s boxes (zero-size or out of the image).',
    });
  }
}
