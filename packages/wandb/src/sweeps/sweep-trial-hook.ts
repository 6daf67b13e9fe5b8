/**
 * `SweepTrialHook`: connects a training run to its sweep trial. Runs last (LOWEST), after CheckpointHook has
 * saved the epoch, as EarlyStoppingHook does.
 *
 * - Before training: adds the run folder to the trial record.
 * - After each val epoch: appends the sweep metric (`val/x` matches `coco/x`; see `trial.ts`) to the record's
 *   history, then asks hyperband (when `early_terminate` is set) whether this trial should stop; if so the
 *   record gets the decision line and training ends after this epoch, normally: `afterTrain` runs and the
 *   last checkpoint stays. The agent then marks the trial `stopped`.
 *
 * A resumed trial drops history points logged after the iteration it resumed from, so a metric is never
 * counted twice. The sweep command adds this hook through cfg-options (`default_hooks.sweep`).
 *
 * @example
 * default_hooks: { sweep: { type: 'SweepTrialHook', sweep_dir: 'work_dirs/atss_kd/sweeps/atss_kd', trial: 'trial-001' } }
 */
import { HOOKS } from '@detlab/core';
import { Hook, prioritySchema, type Metrics, type Priority, type Runner } from '@detlab/engine';
import { z } from 'zod';
import { hyperbandStops } from './hyperband.js';
import { SweepStore } from './sweep-store.js';
import { metricValues, resolveMetricKey } from './trial.js';

/** Options of `SweepTrialHook`. */
export const sweepTrialHookSchema = z.strictObject({
  /** The sweep folder. */
  sweep_dir: z.string().min(1),
  /** The trial this run trains (`trial-001`). */
  trial: z.string().min(1),
  priority: prioritySchema.optional(),
});

/** Options of `SweepTrialHook`, as configs write them. */
export type SweepTrialHookOptions = z.input<typeof sweepTrialHookSchema>;

/** Records the sweep metric and applies hyperband; see the file comment. */
@HOOKS.register({ name: 'SweepTrialHook', schema: sweepTrialHookSchema, description: 'Records the sweep metric of a trial and stops it when hyperband says so.' })
export class SweepTrialHook extends Hook {
  static override readonly defaultPriority: Priority = 'LOWEST';
  readonly options: z.output<typeof sweepTrialHookSchema>;
  readonly store: SweepStore;
  private missingWarned = false;

  constructor(options: SweepTrialHookOptions) {
    super();
    this.options = sweepTrialHookSchema.parse(options);
    this.store = new SweepStore(this.options.sweep_dir);
  }

  override async beforeTrain(runner: Runner): Promise<void> {
    await this.store.updateTrial(this.options.trial, (r) => {
      if (!r.run_dirs.includes(runner.workDir)) r.run_dirs.push(runner.workDir);
      // A resumed attempt logs again every point after the checkpoint's iteration (validation follows the
      // checkpoint of its epoch, so the point at that iteration itself stays).
      r.history = r.history.filter((p) => p.iter <= runner.iter);
    });
  }

  override async afterValEpoch(runner: Runner, metrics: Metrics = {}): Promise<void> {
    const meta = await this.store.readMeta();
    const metric = meta?.sweep.metric;
    if (!meta || !metric) return;
    const key = resolveMetricKey(metric.name, Object.keys(metrics));
    if (key === undefined) {
      if (!this.missingWarned) runner.logger.warn(`[SweepTrialHook] the sweep metric '${metric.name}' is not among the val metrics (${Object.keys(metrics).join(', ') || 'none'}); set metric.name in the sweep file to one of them.`);
      this.missingWarned = true;
      return;
    }
    const value = metrics[key];
    const record = await this.store.updateTrial(this.options.trial, (r) => {
      r.history = r.history.filter((p) => p.iter < runner.iter);
      r.history.push({ iter: runner.iter, epoch: runner.epoch, value, at: new Date().toISOString() });
    });
    const hyperband = meta.sweep.early_terminate;
    if (!hyperband || record.state !== 'running') return;
    const trials = (await this.store.readTrials()).map((t) => (t.name === record.name ? record : t));
    const decision = hyperbandStops(
      hyperband,
      metric.goal,
      trials.map((t) => ({ name: t.name, running: t.state === 'running', history: metricValues(t) })),
    ).find((d) => d.name === record.name);
    if (!decision?.stop) return;
    await this.store.updateTrial(record.name, (r) => (r.stop_reason = decision.line));
    if (runner.trainLoop) runner.trainLoop.stopTraining = true;
    runner.logger.info(`[SweepTrialHook] hyperband stops ${record.name} after this epoch: ${decision.line}`);
  }
}
