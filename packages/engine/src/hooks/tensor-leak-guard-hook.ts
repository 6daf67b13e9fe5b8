/**
 * `TensorLeakGuardHook`: fails the run when the live tensor count grows from one training iteration to the
 * next, once a warm-up is over. Each iteration runs in its own tensor scope, so a growing count means something
 * keeps tensors on purpose every iteration (`tf.keep`, a new `tf.variable`, a tensor stored on an object), which
 * would exhaust memory hours later; failing at iteration 10 with the numbers is kinder.
 *
 * Counts are compared at iteration boundaries every `interval` iterations (default: the optim wrapper's
 * `accumulative_counts`, since gradients are kept across an accumulation window), within an epoch (val and
 * checkpoints between epochs do not count). The warm-up lets optimizer slots and caches appear. Runs first
 * (HIGHEST), before other hooks allocate anything.
 *
 * @example
 * custom_hooks: [{ type: 'TensorLeakGuardHook', warmup_iters: 5 }]
 */
import { DetlabError, HOOKS } from '@detlab/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Hook } from './hook.js';
import { prioritySchema, type Priority } from './priority.js';
import type { Runner } from '../runner/runner.js';

/** Options of `TensorLeakGuardHook`. */
export const tensorLeakGuardHookSchema = z.strictObject({
  /** Training iterations of this run before counts are compared. */
  warmup_iters: z.int().nonnegative().default(3),
  /** Compare every this many iterations; null: the optim wrapper's accumulative_counts. */
  interval: z.int().positive().nullable().default(null),
  /** Growth allowed between two compared boundaries. */
  tolerance: z.int().nonnegative().default(0),
  priority: prioritySchema.optional(),
});

/** Options of `TensorLeakGuardHook`, as configs write them. */
export type TensorLeakGuardHookOptions = z.input<typeof tensorLeakGuardHookSchema>;

/** The tensor-leak guard; see the file comment. */
@HOOKS.register({ name: 'TensorLeakGuardHook', schema: tensorLeakGuardHookSchema, description: 'Fails the run when live tensors grow across iterations.' })
export class TensorLeakGuardHook extends Hook {
  static override readonly defaultPriority: Priority = 'HIGHEST';
  readonly options: z.output<typeof tensorLeakGuardHookSchema>;
  private interval = 1;
  private startIter = 0;
  private baseline: { iter: number; count: number } | undefined;

  constructor(options: TensorLeakGuardHookOptions = {}) {
    super();
    this.options = tensorLeakGuardHookSchema.parse(options);
  }

  override beforeTrain(runner: Runner): void {
    const accumulative = (runner.cfg.optim_wrapper as { accumulative_counts?: unknown } | undefined)?.accumulative_counts;
    this.interval = this.options.interval ?? (typeof accumulative === 'number' ? accumulative : 1);
    this.startIter = runner.iter;
  }

  override beforeTrainEpoch(): void {
    this.baseline = undefined;
  }

  override beforeTrainIter(runner: Runner): void {
    this.check(runner);
  }

  override afterTrainEpoch(runner: Runner): void {
    this.check(runner);
  }

  /** Compares the live count at this boundary (`runner.iter` iterations done) with the last compared one. */
  private check(runner: Runner): void {
    if (runner.iter % this.interval !== 0) return;
    const count = tf.memory().numTensors;
    const previous = this.baseline;
    this.baseline = { iter: runner.iter, count };
    if (!previous || runner.iter - this.startIter <= this.options.warmup_iters) return;
    if (count > previous.count + this.options.tolerance) {
      const span = runner.iter - previous.iter === 1 ? `iteration ${runner.iter}` : `iterations ${previous.iter + 1}..${runner.iter}`;
      throw new DetlabError(
        `[TensorLeakGuardHook] live tensors grew from ${previous.count} to ${count} (+${count - previous.count}) during ${span}: ` +
          'something keeps tensors every iteration (tf.keep, a new tf.variable, or a tensor stored on an object)',
        { hint: 'Compare tf.memory().numTensors before and after the model\'s loss, each custom hook and the data pipeline to find it.' },
      );
    }
  }
}
