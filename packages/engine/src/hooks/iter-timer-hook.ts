/**
 * `IterTimerHook`: times each iteration and its data loading, and estimates the time left, as MMEngine's.
 *
 * Scalars `<mode>/data_time` (from the end of the previous iteration to the start of this one: waiting for the
 * batch) and `<mode>/time` (the whole iteration, data included), for mode train, val and test. Runtime info
 * `eta` (seconds) is the average train iteration time since this run started, times the iterations left.
 *
 * @example
 * default_hooks: { timer: { type: 'IterTimerHook' } }
 */
import { HOOKS } from '@detlab/core';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { Hook } from './hook.js';
import { prioritySchema, type Priority } from './priority.js';
import type { Runner } from '../runner/runner.js';

/** Options of `IterTimerHook`: none besides `priority`. */
export const iterTimerHookSchema = z.strictObject({ priority: prioritySchema.optional() });

/** Iteration and data timing; see the file comment. */
@HOOKS.register({ name: 'IterTimerHook', schema: iterTimerHookSchema, description: 'Times iterations and data loading; estimates ETA (MMEngine).' })
export class IterTimerHook extends Hook {
  static override readonly defaultPriority: Priority = 'NORMAL';
  private last = 0;
  private trainSeconds = 0;
  private startIter = 0;

  override beforeTrain(runner: Runner): void {
    this.startIter = runner.iter;
    this.trainSeconds = 0;
  }

  override beforeTrainEpoch(): void {
    this.last = performance.now();
  }

  override beforeValEpoch(): void {
    this.last = performance.now();
  }

  override beforeTestEpoch(): void {
    this.last = performance.now();
  }

  override beforeTrainIter(runner: Runner): void {
    this.dataTime(runner, 'train');
  }

  override beforeValIter(runner: Runner): void {
    this.dataTime(runner, 'val');
  }

  override beforeTestIter(runner: Runner): void {
    this.dataTime(runner, 'test');
  }

  override afterTrainIter(runner: Runner): void {
    const seconds = this.iterTime(runner, 'train');
    this.trainSeconds += seconds;
    const average = this.trainSeconds / (runner.iter - this.startIter + 1);
    runner.messageHub.updateInfo('eta', average * (runner.maxIters - runner.iter - 1));
  }

  override afterValIter(runner: Runner): void {
    this.iterTime(runner, 'val');
  }

  override afterTestIter(runner: Runner): void {
    this.iterTime(runner, 'test');
  }

  private dataTime(runner: Runner, mode: string): void {
    runner.messageHub.updateScalar(`${mode}/data_time`, (performance.now() - this.last) / 1000);
  }

  private iterTime(runner: Runner, mode: string): number {
    const now = performance.now();
    const seconds = (now - this.last) / 1000;
    this.last = now;
    runner.messageHub.updateScalar(`${mode}/time`, seconds);
    return seconds;
  }
}
