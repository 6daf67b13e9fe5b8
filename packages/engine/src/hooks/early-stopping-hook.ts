/**
 * `EarlyStoppingHook`: ends training when a val metric stops improving, as MMEngine's. Runs last (LOWEST), after
 * CheckpointHook has saved this epoch's best.
 *
 * After each val epoch: a metric that is not finite (with `check_finite`) stops at once; one that reaches
 * `stopping_threshold` stops at once; otherwise it must beat the best by more than `min_delta`, or the wait
 * count grows, and at `patience` training stops after this epoch (normally: `afterTrain` runs). Its best score
 * and wait count are saved in checkpoints (`hooks.EarlyStoppingHook`).
 *
 * @example
 * custom_hooks: [{ type: 'EarlyStoppingHook', monitor: 'coco/bbox_mAP', patience: 3, min_delta: 0.005 }]
 */
import { DetlabError, HOOKS } from '@detlab/core';
import { z } from 'zod';
import { Hook, type Metrics } from './hook.js';
import { inferRule, isImprovement, type MetricRule } from './metric-rule.js';
import { prioritySchema, type Priority } from './priority.js';
import type { Runner } from '../runner/runner.js';

/** Options of `EarlyStoppingHook` (MMEngine's names and defaults). */
export const earlyStoppingHookSchema = z.strictObject({
  /** The metric to watch (`coco/bbox_mAP`). */
  monitor: z.string(),
  /** 'greater' or 'less'; inferred from the key's name when null. */
  rule: z.enum(['greater', 'less']).nullable().default(null),
  /** An improvement must be larger than this. */
  min_delta: z.number().nonnegative().default(0.1),
  /** Throw when `monitor` is missing from the metrics (else warn). */
  strict: z.boolean().default(false),
  /** Stop when the metric is NaN or infinite. */
  check_finite: z.boolean().default(true),
  /** Val epochs without improvement before stopping. */
  patience: z.int().positive().default(5),
  /** Stop as soon as the metric reaches this value. */
  stopping_threshold: z.number().nullable().default(null),
  priority: prioritySchema.optional(),
});

/** Options of `EarlyStoppingHook`, as configs write them. */
export type EarlyStoppingHookOptions = z.input<typeof earlyStoppingHookSchema>;

/** Stops training on a plateau; see the file comment. */
@HOOKS.register({ name: 'EarlyStoppingHook', schema: earlyStoppingHookSchema, description: 'Stops training when a val metric plateaus (MMEngine).' })
export class EarlyStoppingHook extends Hook {
  static override readonly defaultPriority: Priority = 'LOWEST';
  override stateKey = 'EarlyStoppingHook';
  readonly options: z.output<typeof earlyStoppingHookSchema>;
  readonly rule: MetricRule;
  bestScore: number | undefined;
  waitCount = 0;

  constructor(options: EarlyStoppingHookOptions) {
    super();
    this.options = earlyStoppingHookSchema.parse(options);
    this.rule = inferRule(this.options.monitor, this.options.rule, {}, 'custom_hooks.EarlyStoppingHook.rule');
  }

  override afterValEpoch(runner: Runner, metrics?: Metrics): void {
    const { monitor, check_finite, stopping_threshold, min_delta, patience } = this.options;
    const value = metrics?.[monitor];
    if (value === undefined) {
      const message = `[EarlyStoppingHook] monitor '${monitor}' is not among the val metrics (${Object.keys(metrics ?? {}).join(', ') || 'none'})`;
      if (this.options.strict) throw new DetlabError(message, { hint: 'Set monitor to one of them.' });
      runner.logger.warn(message);
      return;
    }
    if (check_finite && !Number.isFinite(value)) return this.stop(runner, `${monitor} is ${value}`);
    if (stopping_threshold !== null && isImprovement(this.rule, value, stopping_threshold)) {
      return this.stop(runner, `${monitor} ${value} reached the stopping threshold ${stopping_threshold}`);
    }
    if (isImprovement(this.rule, value, this.bestScore, min_delta)) {
      this.bestScore = value;
      this.waitCount = 0;
      return;
    }
    this.waitCount += 1;
    if (this.waitCount >= patience) {
      this.stop(runner, `${monitor} did not improve by more than ${min_delta} in the last ${this.waitCount} validations (best ${this.bestScore})`);
    }
  }

  override stateDict(): Record<string, unknown> {
    return { best_score: this.bestScore ?? null, wait_count: this.waitCount };
  }

  override loadStateDict(state: Record<string, unknown>): void {
    this.bestScore = typeof state.best_score === 'number' ? state.best_score : undefined;
    this.waitCount = typeof state.wait_count === 'number' ? state.wait_count : 0;
  }

  private stop(runner: Runner, reason: string): void {
    if (runner.trainLoop) runner.trainLoop.stopTraining = true;
    runner.logger.info(`[EarlyStoppingHook] stopping training after epoch ${runner.epoch}: ${reason}`);
  }
}
