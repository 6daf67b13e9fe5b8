/**
 * `ConstantLR`: multiplies the lr by `factor` from `begin`, and undoes it at the last step of the range;
 * mirrors MMEngine's `ConstantLR` (`ConstantParamScheduler._get_value`).
 *
 * Chainable form, with total_iters = end − begin − 1:
 *   last_step = 0:            lr ← lr·factor
 *   last_step = total_iters:  lr ← lr / factor   (MMEngine restores at end − 1, not at end)
 *   otherwise:                unchanged
 *
 * @example
 * param_scheduler: { type: 'ConstantLR', factor: 0.5, by_epoch: false, begin: 0, end: 100 }
 */
import { PARAM_SCHEDULERS, parseOptions } from '@detlab/core';
import { z } from 'zod';
import { ParamScheduler, checkSchedulerRange, schedulerBaseShape } from './param-scheduler.js';

/**
 * Options of `ConstantLR`, with MMEngine's defaults.
 *
 * @example
 * constantLRSchema.parse({ factor: 0.1, end: 5 });
 */
export const constantLRSchema = z
  .strictObject({
    ...schedulerBaseShape,
    /** Multiplier in [0, 1] held over the range. */
    factor: z.number().min(0).max(1).default(1 / 3),
  })
  .superRefine(checkSchedulerRange);

/**
 * Options of `ConstantLR`, keys as in configs.
 *
 * @example
 * const options: ConstantLROptions = { factor: 0.5, by_epoch: true, end: 2 };
 */
export type ConstantLROptions = z.input<typeof constantLRSchema>;

/**
 * A constant lr factor over a range; see the file comment.
 *
 * @example
 * param_scheduler: { type: 'ConstantLR', factor: 0.25, by_epoch: true, begin: 0, end: 1, convert_to_iter_based: true }
 */
@PARAM_SCHEDULERS.register({ name: 'ConstantLR', schema: constantLRSchema, description: 'Constant lr factor over [begin, end).' })
export class ConstantLR extends ParamScheduler<z.output<typeof constantLRSchema>> {
  constructor(options: ConstantLROptions) {
    super(parseOptions(constantLRSchema, options, 'ConstantLR') as z.output<typeof constantLRSchema>, 'lr');
  }

  protected getValue(): number[] {
    const { factor } = this.options;
    if (this.lastStep === 0) return this.current().map((v) => v * factor);
    if (this.lastStep !== this.end - this.begin - 1) return this.current();
    return this.current().map((v) => v * (1 / factor));
  }
}
