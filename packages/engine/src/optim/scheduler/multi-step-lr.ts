/**
 * `MultiStepLR`: multiplies the lr by `gamma` each time `last_step` reaches a milestone; mirrors MMEngine's
 * `MultiStepLR` (`MultiStepParamScheduler._get_value`). Milestones count from `begin` and form a multiset:
 * one listed twice decays by gamma².
 *
 * @example
 * param_scheduler: { type: 'MultiStepLR', begin: 0, end: 12, by_epoch: true, milestones: [8, 11], gamma: 0.1 }
 */
import { PARAM_SCHEDULERS, parseOptions } from '@detlab/core';
import { z } from 'zod';
import { ParamScheduler, checkSchedulerRange, schedulerBaseShape } from './param-scheduler.js';

/**
 * Options of `MultiStepLR`, with MMEngine's defaults.
 *
 * @example
 * multiStepLRSchema.parse({ milestones: [16, 22], end: 24 });
 */
export const multiStepLRSchema = z
  .strictObject({
    ...schedulerBaseShape,
    /** Steps (epochs when by_epoch) after begin at which the lr decays. */
    milestones: z.array(z.int().nonnegative()),
    gamma: z.number().default(0.1),
  })
  .superRefine(checkSchedulerRange);

/**
 * Options of `MultiStepLR`, keys as in configs.
 *
 * @example
 * const options: MultiStepLROptions = { milestones: [8, 11], gamma: 0.1, by_epoch: true, end: 12 };
 */
export type MultiStepLROptions = z.input<typeof multiStepLRSchema>;

/**
 * Step decay at milestones; see the file comment.
 *
 * @example
 * param_scheduler: { type: 'MultiStepLR', milestones: [8, 11], by_epoch: true, end: 12, convert_to_iter_based: true }
 */
@PARAM_SCHEDULERS.register({ name: 'MultiStepLR', schema: multiStepLRSchema, description: 'lr × gamma at each milestone.' })
export class MultiStepLR extends ParamScheduler<z.output<typeof multiStepLRSchema>> {
  constructor(options: MultiStepLROptions) {
    super(parseOptions(multiStepLRSchema, options, 'MultiStepLR') as z.output<typeof multiStepLRSchema>, 'lr');
  }

  protected getValue(): number[] {
    const hits = this.options.milestones.filter((m) => m === this.lastStep).length;
    if (hits === 0) return this.current();
    return this.current().map((v) => v * this.options.gamma ** hits);
  }

  protected override convertExtra(o: z.output<typeof multiStepLRSchema>, epochLength: number): z.output<typeof multiStepLRSchema> {
    return { ...o, milestones: o.milestones.map((m) => m * epochLength) };
  }
}
