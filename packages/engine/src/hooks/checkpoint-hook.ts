/**
 * `CheckpointHook`: saves checkpoints every `interval` epochs (or iterations), the last one, and the best one
 * by a val metric, as MMEngine's (mmdet-semantics §3.3). Runs late (VERY_LOW) so a checkpoint holds what every
 * other hook did this epoch.
 *
 * Files go into the run folder: `epoch_{n}.safetensors` / `iter_{n}.safetensors`, and
 * `best_{key}_{epoch|iter}_{n}.safetensors` (key with `/` as `_`). Each save is atomic, then `last_checkpoint`
 * is pointed at it (best checkpoints do not move the pointer). With `max_keep_ckpts` > 0 only that many regular
 * checkpoints stay; the older ones are deleted after the new one is safely written. The kept list and the best
 * score live in the message hub (`keep_ckpt_ids`, `best_score`, `best_ckpt`, or `*_<key>` with several keys), so
 * they survive a resume.
 *
 * @example
 * default_hooks: { checkpoint: { type: 'CheckpointHook', interval: 1, max_keep_ckpts: 3, save_best: 'auto' } }
 */
import { ConfigError, HOOKS } from '@detlab/core';
import { rm } from 'node:fs/promises';
import { z } from 'zod';
import { Hook, everyNEpochs, everyNTrainIters, isLastTrainEpoch, isLastTrainIter, type Metrics } from './hook.js';
import { inferRule, isImprovement, type MetricRule } from './metric-rule.js';
import { prioritySchema, type Priority } from './priority.js';
import type { Runner } from '../runner/runner.js';

const ruleSchema = z.enum(['greater', 'less']);

/** Options of `CheckpointHook` (MMEngine's names and defaults). */
export const checkpointHookSchema = z.strictObject({
  /** Save every this many epochs (by_epoch) or iterations; -1: only the last (with save_last). */
  interval: z.int().default(-1),
  by_epoch: z.boolean().default(true),
  save_optimizer: z.boolean().default(true),
  save_param_scheduler: z.boolean().default(true),
  /** Regular checkpoints to keep; -1 keeps all. */
  max_keep_ckpts: z.int().default(-1),
  /** Also save after the last epoch/iteration even when `interval` does not fall there. */
  save_last: z.boolean().default(true),
  /** Metric key(s) to keep the best checkpoint of, or 'auto' for the first metric. */
  save_best: z.union([z.string(), z.array(z.string()).min(1)]).nullable().default(null),
  rule: z.union([ruleSchema, z.array(ruleSchema)]).nullable().default(null),
  greater_keys: z.array(z.string()).nullable().default(null),
  less_keys: z.array(z.string()).nullable().default(null),
  /** First epoch/iteration count at which interval saving may happen. */
  save_begin: z.int().nonnegative().default(0),
  priority: prioritySchema.optional(),
});

/** Options of `CheckpointHook`, as configs write them. */
export type CheckpointHookOptions = z.input<typeof checkpointHookSchema>;

/** Periodic, last and best checkpoints; see the file comment. */
@HOOKS.register({ name: 'CheckpointHook', schema: checkpointHookSchema, description: 'Saves periodic, last and best checkpoints (MMEngine).' })
export class CheckpointHook extends Hook {
  static override readonly defaultPriority: Priority = 'VERY_LOW';
  readonly options: z.output<typeof checkpointHookSchema>;
  private readonly saveBest: string[];

  constructor(options: CheckpointHookOptions = {}) {
    super();
    this.options = checkpointHookSchema.parse(options);
    const best = this.options.save_best;
    this.saveBest = best === null ? [] : Array.isArray(best) ? best : [best];
    const rules = this.options.rule;
    if (Array.isArray(rules) && rules.length !== this.saveBest.length) {
      throw new ConfigError(`CheckpointHook.rule: expected one rule per save_best key (${this.saveBest.length}), got ${rules.length}`, {
        configPath: 'default_hooks.checkpoint.rule',
      });
    }
  }

  override afterTrainEpoch(runner: Runner): Promise<void> | void {
    const o = this.options;
    if (!o.by_epoch) return;
    if (everyNEpochs(runner, o.interval, o.save_begin) || (o.save_last && isLastTrainEpoch(runner))) {
      return this.saveRegular(runner, `epoch_${runner.epoch + 1}.safetensors`, 'epoch');
    }
  }

  // Not async: an iteration that saves nothing (all of them, by epoch) should not cost a promise.
  override afterTrainIter(runner: Runner): Promise<void> | void {
    const o = this.options;
    if (o.by_epoch) return;
    if (everyNTrainIters(runner, o.interval, o.save_begin) || (o.save_last && isLastTrainIter(runner))) {
      return this.saveRegular(runner, `iter_${runner.iter + 1}.safetensors`, 'iter');
    }
  }

  override async afterValEpoch(runner: Runner, metrics?: Metrics): Promise<void> {
    if (this.saveBest.length === 0 || !metrics || Object.keys(metrics).length === 0) return;
    const keys = this.saveBest.map((k) => (k === 'auto' ? Object.keys(metrics)[0] : k));
    for (const [i, key] of keys.entries()) {
      const value = metrics[key];
      if (value === undefined) {
        runner.logger.warn(`[CheckpointHook] save_best: no metric '${key}' among ${Object.keys(metrics).join(', ')}; skipped`);
        continue;
      }
      const rule = this.ruleFor(key, i);
      const suffix = keys.length > 1 ? `_${key}` : '';
      const best = runner.messageHub.getInfo<number>(`best_score${suffix}`);
      if (!isImprovement(rule, value, best)) continue;
      const counter = this.options.by_epoch ? `epoch_${runner.epoch}` : `iter_${runner.iter}`;
      const file = await runner.saveCheckpoint(`best_${key.replaceAll('/', '_')}_${counter}.safetensors`, {
        counters: 'current',
        saveOptimizer: false,
        saveParamScheduler: false,
        updatePointer: false,
      });
      const previous = runner.messageHub.getInfo<string>(`best_ckpt${suffix}`);
      if (previous && previous !== file) await rm(previous, { force: true });
      runner.messageHub.updateInfo(`best_score${suffix}`, value);
      runner.messageHub.updateInfo(`best_ckpt${suffix}`, file);
      runner.logger.info(`[CheckpointHook] best ${key} ${value.toFixed(4)}: saved ${file}`);
    }
  }

  private async saveRegular(runner: Runner, filename: string, counters: 'epoch' | 'iter'): Promise<void> {
    const o = this.options;
    const file = await runner.saveCheckpoint(filename, { counters, saveOptimizer: o.save_optimizer, saveParamScheduler: o.save_param_scheduler });
    runner.logger.info(`[CheckpointHook] saved ${file}`);
    if (o.max_keep_ckpts <= 0) return;
    // Absolute paths: after a resume, the oldest kept files are in the previous run's folder.
    const kept = [...(runner.messageHub.getInfo<string[]>('keep_ckpt_ids') ?? []).filter((f) => f !== file), file];
    // The new file is written and pointed to before the old ones go, so a crash never leaves none.
    while (kept.length > o.max_keep_ckpts) await rm(kept.shift()!, { force: true });
    runner.messageHub.updateInfo('keep_ckpt_ids', kept);
  }

  private ruleFor(key: string, index: number): MetricRule {
    const rule = this.options.rule;
    const given = Array.isArray(rule) ? rule[index] : rule;
    return inferRule(key, given, { greaterKeys: this.options.greater_keys, lessKeys: this.options.less_keys }, 'default_hooks.checkpoint.rule');
  }
}
