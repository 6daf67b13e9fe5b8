/**
 * `CosineAnnealingLR`: cosine decay from the initial lr to `eta_min` over `T_max` steps (SGDR without
 * restarts, Loshchilov & Hutter 2017); mirrors MMEngine's `CosineAnnealingLR`
 * (`CosineAnnealingParamScheduler._get_value`).
 *
 * Chainable form, with η_min = eta_min, or eta_min_ratio·base when given:
 *   last_step = 0:                                   unchanged
 *   (last_step − 1 − T_max) divisible by 2·T_max:    lr ← lr + (base − η_min)·(1 − cos(π/T_max))/2
 *   otherwise:  lr ← (1 + cos(π·t/T_max)) / (1 + cos(π·(t − 1)/T_max))·(lr − η_min) + η_min
 * Alone it equals η_min + (base − η_min)·(1 + cos(π·t/T_max))/2. `T_max` defaults to end − begin.
 *
 * @example
 * param_scheduler: { type: 'CosineAnnealingLR', T_max: 12, eta_min: 0, by_epoch: true, begin: 0, end: 12 }
 */
import { PARAM_SCHEDULERS, parseOptions } from '@detlab/core';
import { z } from 'zod';
import { ParamScheduler, checkSchedulerRange, schedulerBaseShape } from './param-scheduler.js';

/**
 * Options of `CosineAnnealingLR`: `eta_min` and `eta_min_ratio` exclude each other (neither means eta_min 0).
 *
 * @example
 * cosineAnnealingLRSchema.parse({ T_max: 100, eta_min_ratio: 0.01, by_epoch: false, end: 100 });
 */
export const cosineAnnealingLRSchema = z
  .strictObject({
    ...schedulerBaseShape,
    /** Half period in steps (epochs when by_epoch); defaults to end − begin. */
    T_max: z.int().positive().optional(),
    /** Lowest lr. */
    eta_min: z.number().optional(),
    /** Lowest lr as a fraction of each group's initial lr. */
    eta_min_ratio: z.number().optional(),
  })
  .superRefine((o, ctx) => {
    checkSchedulerRange(o, ctx);
    if (o.eta_min !== undefined && o.eta_min_ratio !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['eta_min_ratio'], message: `give either eta_min or eta_min_ratio, got both (${o.eta_min} and ${o.eta_min_ratio})` });
    }
  });

/**
 * Options of `CosineAnnealingLR`, keys as in configs.
 *
 * @example
 * const options: CosineAnnealingLROptions = { T_max: 300, eta_min: 1e-5, by_epoch: true, begin: 0, end: 300 };
 */
export type CosineAnnealingLROptions = z.input<typeof cosineAnnealingLRSchema>;

/**
 * Cosine annealing of the learning rate; see the file comment.
 *
 * @example
 * param_scheduler: { type: 'CosineAnnealingLR', by_epoch: true, begin: 1, end: 12, convert_to_iter_based: true }
 */
@PARAM_SCHEDULERS.register({ name: 'CosineAnnealingLR', schema: cosineAnnealingLRSchema, description: 'Cosine lr decay to eta_min.' })
export class CosineAnnealingLR extends ParamScheduler<z.output<typeof cosineAnnealingLRSchema>> {
  constructor(options: CosineAnnealingLROptions) {
    super(parseOptions(cosineAnnealingLRSchema, options, 'CosineAnnealingLR') as z.output<typeof cosineAnnealingLRSchema>, 'lr');
  }

  protected getValue(): number[] {
    const t = this.lastStep;
    const T = this.options.T_max ?? this.end - this.begin;
    const etaMin = (base: number): number => (this.options.eta_min_ratio === undefined ? (this.options.eta_min ?? 0) : base * this.options.eta_min_ratio);
    const current = this.current();
    if (t === 0) return current;
    // Python's % is never negative, JS's can be; divisibility (=== 0) reads the same in both.
    if ((t - 1 - T) % (2 * T) === 0) {
      return current.map((v, i) => v + ((this.baseValues[i] - etaMin(this.baseValues[i])) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T));
    return current.map((v, i) => ratio * (v - etaMin(this.baseValues[i])) + etaMin(this.baseValues[i]));
  }

  protected override convertExtra(o: z.output<typeof cosineAnnealingLRSchema>, epochLength: number): z.output<typeof cosineAnnealingLRSchema> {
    return o.T_max === undefined ? o : { ...o, T_max: o.T_max * epochLength };
  }
}
