/**
 * `LinearLR`: scales the lr by a factor moving linearly from `start_factor` to `end_factor` over
 * [begin, end); mirrors MMEngine's `LinearLR` (`LinearParamScheduler._get_value`), the usual warm-up.
 *
 * Chainable form, with total_iters = end − begin − 1:
 *   last_step = 0:  lr ← lr·start_factor
 *   afterwards:     lr ← lr·(1 + (end_factor − start_factor) / (total_iters·start_factor + (last_step − 1)·(end_factor − start_factor)))
 * Alone it equals the closed form base·(start + (end − start)·min(last_step, total_iters)/total_iters).
 *
 * @example
 * param_scheduler: { type: 'LinearLR', start_factor: 0.001, by_epoch: false, begin: 0, end: 500 }
 */
import { PARAM_SCHEDULERS, parseOptions } from '@detlab/core';
import { z } from 'zod';
import { ParamScheduler, checkSchedulerRange, schedulerBaseShape } from './param-scheduler.js';

const factor = z.number().min(0).max(1);

/**
 * Options of `LinearLR`, with MMEngine's defaults.
 *
 * @example
 * linearLRSchema.parse({ start_factor: 0.1, by_epoch: false, end: 1000 });
 */
export const linearLRSchema = z
  .strictObject({
    ...schedulerBaseShape,
    /** Factor at `begin`, in [0, 1]. */
    start_factor: factor.default(1 / 3),
    /** Factor reached at `end − 1`, in [0, 1]. */
    end_factor: factor.default(1),
  })
  .superRefine(checkSchedulerRange);

/**
 * Options of `LinearLR`, keys as in configs.
 *
 * @example
 * const options: LinearLROptions = { start_factor: 0.001, by_epoch: false, begin: 0, end: 500 };
 */
export type LinearLROptions = z.input<typeof linearLRSchema>;

/**
 * Linear warm-up (or decay) of the learning rate; see the file comment.
 *
 * @example
 * param_scheduler: { type: 'LinearLR', start_factor: 0.1, by_epoch: true, begin: 0, end: 1, convert_to_iter_based: true }
 */
@PARAM_SCHEDULERS.register({ name: 'LinearLR', schema: linearLRSchema, description: 'Linear lr factor from start_factor to end_factor.' })
export class LinearLR extends ParamScheduler<z.output<typeof linearLRSchema>> {
  constructor(options: LinearLROptions) {
    super(parseOptions(linearLRSchema, options, 'LinearLR') as z.output<typeof linearLRSchema>, 'lr');
  }

  protected getValue(): number[] {
    const { start_factor: start, end_factor: end } = this.options;
    if (this.lastStep === 0) return this.current().map((v) => v * start);
    const totalIters = this.end - this.begin - 1;
    const ratio = 1 + (end - start) / (totalIters * start + (this.lastStep - 1) * (end - start));
    return this.current().map((v) => v * ratio);
  }
}
