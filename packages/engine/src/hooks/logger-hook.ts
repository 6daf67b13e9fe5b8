/**
 * `LoggerHook`: prints training progress and sends scalars to the vis backends, as MMEngine's `LoggerHook` with
 * its `LogProcessor` (line format in `logging/log-line.ts`). Runs after the timer (BELOW_NORMAL).
 *
 * Every `interval` iterations (within the epoch when training by epochs) it logs one line with the learning
 * rate, ETA, times, memory and window means of every train scalar (window: `log_processor.window_size`, 10
 * by default), and sends the same values to the vis backends at step `iter + 1`. After each val epoch it logs
 * the metrics and sends them (step: the epoch with `log_metric_by_epoch`, else the iteration). On a terminal
 * (`progress_bar: 'auto'`) a bar with epoch, iteration, ETA, lr and losses is redrawn below the lines.
 *
 * @example
 * default_hooks: { logger: { type: 'LoggerHook', interval: 50 } }
 */
import { HOOKS } from '@detlab/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Hook, endOfEpoch, everyNInnerIters, everyNTrainIters, type Metrics } from './hook.js';
import { prioritySchema, type Priority } from './priority.js';
import { epochHead, formatDuration, formatLogLine, formatValue, iterHead } from '../logging/log-line.js';
import { ProgressBar } from '../logging/progress-bar.js';
import type { Runner } from '../runner/runner.js';

/** Options of `LoggerHook` (MMEngine's names and defaults, plus `progress_bar`). */
export const loggerHookSchema = z.strictObject({
  interval: z.int().positive().default(10),
  /** Skip the line of an epoch's last iteration when it does not fall on `interval`. */
  ignore_last: z.boolean().default(true),
  /** Log the run folder's name every this many iterations, so long logs say what they belong to. */
  interval_exp_name: z.int().positive().default(1000),
  log_metric_by_epoch: z.boolean().default(true),
  /** 'auto': a bar when stdout is a terminal and CI is unset. */
  progress_bar: z.union([z.boolean(), z.literal('auto')]).default('auto'),
  priority: prioritySchema.optional(),
});

/** Options of `LoggerHook`, as configs write them. */
export type LoggerHookOptions = z.input<typeof loggerHookSchema>;

/** Log lines, scalars and the progress bar; see the file comment. */
@HOOKS.register({ name: 'LoggerHook', schema: loggerHookSchema, description: 'Log lines, scalars to vis backends, progress bar (MMEngine).' })
export class LoggerHook extends Hook {
  static override readonly defaultPriority: Priority = 'BELOW_NORMAL';
  readonly options: z.output<typeof loggerHookSchema>;
  private bar: ProgressBar | undefined;
  private window = 10;

  constructor(options: LoggerHookOptions = {}) {
    super();
    this.options = loggerHookSchema.parse(options);
    const o = this.options.progress_bar;
    if (o === true || (o === 'auto' && process.stdout.isTTY && !process.env.CI)) this.bar = new ProgressBar(process.stdout);
  }

  override beforeRun(runner: Runner): void {
    const size = (runner.cfg.log_processor as { window_size?: unknown } | undefined)?.window_size;
    if (typeof size === 'number' && size > 0) this.window = size;
  }

  override afterTrainIter(runner: Runner, batchIdx: number): void {
    const loop = runner.trainLoop!;
    const length = loop.dataloader.length;
    if (this.bar?.due()) {
      const [done, total, prefix] = loop.byEpoch ? [batchIdx + 1, length, `Epoch ${runner.epoch + 1}/${runner.maxEpochs}`] : [runner.iter + 1, runner.maxIters, 'Iter'];
      this.bar.render(done, total, prefix, this.barSuffix(runner));
    }
    if (everyNTrainIters(runner, this.options.interval_exp_name)) this.emit(runner, `Exp name: ${runner.experimentName}`);
    const due = loop.byEpoch ? everyNInnerIters(batchIdx, this.options.interval) : everyNTrainIters(runner, this.options.interval);
    const last = loop.byEpoch && endOfEpoch(length, batchIdx) && !this.options.ignore_last;
    if (!due && !last) return;
    const values = this.trainValues(runner);
    const head = loop.byEpoch ? epochHead('train', runner.epoch + 1, runner.maxEpochs, batchIdx, length) : iterHead('train', runner.iter + 1, runner.maxIters);
    // MMEngine's order: learning rates, eta, then times, memory and losses.
    const entries: Array<[string, number | string]> = Object.entries(values);
    const lrCount = entries.filter(([key]) => key.endsWith('lr')).length;
    entries.splice(lrCount, 0, ['eta', formatDuration(runner.messageHub.getInfo<number>('eta') ?? NaN)]);
    this.emit(runner, formatLogLine(head, Object.fromEntries(entries)));
    runner.visualizer.addScalars({ ...values, epoch: runner.epoch + 1, iter: runner.iter + 1 }, runner.iter + 1);
  }

  override afterTrainEpoch(): void {
    this.bar?.done();
  }

  override afterValIter(runner: Runner, batchIdx: number): void {
    this.evalIter(runner, 'val', batchIdx, runner.valLoop?.dataloader.length ?? 0);
  }

  override afterTestIter(runner: Runner, batchIdx: number): void {
    this.evalIter(runner, 'test', batchIdx, runner.testLoop?.dataloader.length ?? 0);
  }

  override afterValEpoch(runner: Runner, metrics: Metrics = {}): void {
    this.bar?.done();
    const values = { ...metrics, ...this.means(runner, 'val', ['data_time', 'time']) };
    const length = runner.valLoop?.dataloader.length ?? 0;
    const head = runner.trainLoop?.byEpoch === false ? iterHead('val', length, length) : epochHead('val', runner.epoch, Math.max(runner.maxEpochs, 1), length - 1, length);
    this.emit(runner, formatLogLine(head, values));
    runner.visualizer.addScalars(values, this.options.log_metric_by_epoch ? runner.epoch : runner.iter);
  }

  override afterTestEpoch(runner: Runner, metrics: Metrics = {}): void {
    this.bar?.done();
    const length = runner.testLoop?.dataloader.length ?? 0;
    this.emit(runner, formatLogLine(iterHead('test', length, length), { ...metrics, ...this.means(runner, 'test', ['data_time', 'time']) }));
  }

  override afterRun(): void {
    this.bar?.done();
  }

  /** lr values, then time, data_time, memory and the window means of the other train scalars. */
  private trainValues(runner: Runner): Record<string, number> {
    const values: Record<string, number> = {};
    const rest: Record<string, number> = {};
    for (const [key, buffer] of runner.messageHub.logScalars) {
      if (!key.startsWith('train/')) continue;
      const name = key.slice(6);
      if (name.endsWith('lr')) values[name] = buffer.current();
      else if (name !== 'time' && name !== 'data_time') rest[name] = buffer.mean(this.window);
    }
    Object.assign(values, this.means(runner, 'train', ['time', 'data_time']));
    values.memory = tf.memory().numBytes / 2 ** 20;
    return Object.assign(values, rest);
  }

  private means(runner: Runner, mode: string, names: readonly string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of names) {
      const buffer = runner.messageHub.getScalar(`${mode}/${name}`);
      if (buffer) out[name] = buffer.mean(this.window);
    }
    return out;
  }

  private evalIter(runner: Runner, mode: 'val' | 'test', batchIdx: number, length: number): void {
    if (this.bar?.due()) this.bar.render(batchIdx + 1, length, mode === 'val' ? 'Val' : 'Test', '');
    if (!everyNInnerIters(batchIdx, this.options.interval)) return;
    const head = mode === 'val' && runner.trainLoop?.byEpoch !== false ? epochHead('val', runner.epoch, Math.max(runner.maxEpochs, 1), batchIdx, length) : iterHead(mode, batchIdx + 1, length);
    this.emit(runner, formatLogLine(head, this.means(runner, mode, ['time', 'data_time'])));
  }

  private barSuffix(runner: Runner): string {
    const hub = runner.messageHub;
    const parts = [`eta ${formatDuration(hub.getInfo<number>('eta') ?? NaN)}`];
    const lr = hub.getScalar('train/lr');
    if (lr) parts.push(`lr ${formatValue('lr', lr.current())}`);
    for (const [key, buffer] of hub.logScalars) {
      if (key.startsWith('train/') && key.includes('loss')) parts.push(`${key.slice(6)} ${buffer.mean(this.window).toFixed(4)}`);
    }
    return parts.join('  ');
  }

  /** Writes a line above the bar. */
  private emit(runner: Runner, line: string): void {
    this.bar?.clear();
    runner.logger.info(line);
    this.bar?.redraw();
  }
}
