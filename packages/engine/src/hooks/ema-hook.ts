/**
 * `EMAHook`: keeps an exponential moving average of the model's weights and evaluates with it, as MMEngine's
 * `EMAHook` with mmdet's `ExpMomentumEMA` (YOLOX, RTMDet).
 *
 * After each training iteration the average moves towards the weights by `m_t`: with `ExpMomentumEMA`,
 * `m_t = (1 - momentum) · exp(-(1 + steps) / gamma) + momentum` (large at first, so the average catches up,
 * then `momentum`); with `ExponentialMovingAverage`, `m_t = momentum`. The first update copies the weights.
 * Before `begin_iter`/`begin_epoch` the average simply follows the weights. Val and test epochs swap the
 * averaged weights into the model and back. Checkpoints hold the averaged weights as `state_dict` and the raw
 * ones as `ema_state_dict` (`module.<name>`), as MMEngine's, so a checkpoint evaluates with the average and a
 * resume restores both.
 *
 * @example
 * custom_hooks: [{ type: 'EMAHook', ema_type: 'ExpMomentumEMA', momentum: 0.0002, update_buffers: true, priority: 49 }]
 */
import { HOOKS } from '@detlab/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Hook } from './hook.js';
import { prioritySchema, type Priority } from './priority.js';
import type { RunCheckpoint } from '../checkpoint/run-checkpoint.js';
import type { Runner } from '../runner/runner.js';

/** Options of `EMAHook` (MMEngine's names; mmdet's ExpMomentumEMA defaults). */
export const emaHookSchema = z.strictObject({
  ema_type: z.enum(['ExpMomentumEMA', 'ExponentialMovingAverage']).default('ExpMomentumEMA'),
  /** Weight of the current weights in each update, once warmed up. */
  momentum: z.number().gt(0).lt(1).default(0.0002),
  /** ExpMomentumEMA's warm-up length (iterations). */
  gamma: z.number().positive().default(2000),
  /** Update every this many iterations. */
  interval: z.int().positive().default(1),
  /** Also average float buffers (BatchNorm statistics); otherwise they are taken as they are. */
  update_buffers: z.boolean().default(false),
  begin_iter: z.int().nonnegative().default(0),
  begin_epoch: z.int().nonnegative().default(0),
  priority: prioritySchema.optional(),
});

/** Options of `EMAHook`, as configs write them. */
export type EMAHookOptions = z.input<typeof emaHookSchema>;

const EMA_PREFIX = 'module.';

/** The weight average; see the file comment. */
@HOOKS.register({ name: 'EMAHook', schema: emaHookSchema, description: 'Exponential moving average of the weights for val/test (MMEngine/mmdet).' })
export class EMAHook extends Hook {
  static override readonly defaultPriority: Priority = 'NORMAL';
  override stateKey = 'EMAHook';
  readonly options: z.output<typeof emaHookSchema>;
  /** The averaged tensors by state-dict name; created in `beforeRun`. */
  readonly average = new Map<string, tf.Variable>();
  /** Updates so far. */
  steps = 0;
  private source = new Map<string, tf.Variable>();

  constructor(options: EMAHookOptions = {}) {
    super();
    this.options = emaHookSchema.parse(options);
  }

  override beforeRun(runner: Runner): void {
    if (this.average.size > 0) return;
    const averaged = new Set(runner.model.namedParameters().map(([name]) => name));
    if (this.options.update_buffers) for (const [name, b] of runner.model.namedBuffers()) if (b.dtype === 'float32') averaged.add(name);
    const state = runner.model.stateDict();
    for (const name of averaged) {
      const variable = state.get(name) as tf.Variable;
      this.source.set(name, variable);
      this.average.set(name, tf.variable(variable, false));
    }
  }

  override afterTrainIter(runner: Runner): void {
    const o = this.options;
    const started = runner.iter + 1 >= o.begin_iter && runner.epoch >= o.begin_epoch;
    if (!started) return this.copyFromSource();
    if ((runner.iter + 1) % o.interval !== 0) return;
    if (this.steps === 0) this.copyFromSource();
    else {
      const m = o.ema_type === 'ExpMomentumEMA' ? (1 - o.momentum) * Math.exp(-(1 + this.steps) / o.gamma) + o.momentum : o.momentum;
      tf.tidy(() => {
        // average ← average + m · (weights − average): torch's lerp_(source, m)
        for (const [name, avg] of this.average) avg.assign(avg.add(this.source.get(name)!.sub(avg).mul(m)));
      });
    }
    this.steps += 1;
  }

  override beforeValEpoch(): void {
    this.swap();
  }

  override afterValEpoch(): void {
    this.swap();
  }

  override beforeTestEpoch(): void {
    this.swap();
  }

  override afterTestEpoch(): void {
    this.swap();
  }

  override beforeSaveCheckpoint(_runner: Runner, checkpoint: RunCheckpoint): void {
    // The checkpoint's state_dict is a fresh map of the model's tensors, so entries can be replaced freely.
    const raw = new Map<string, tf.Tensor>();
    for (const [name, avg] of this.average) {
      raw.set(`${EMA_PREFIX}${name}`, checkpoint.state_dict.get(name)!);
      checkpoint.state_dict.set(name, avg);
    }
    checkpoint.ema_state_dict = raw;
  }

  override afterLoadCheckpoint(runner: Runner, checkpoint: RunCheckpoint): void {
    const raw = checkpoint.ema_state_dict;
    if (raw instanceof Map) {
      // Resuming: the file's state_dict is the average; swap the raw weights back before the model loads them.
      for (const [name, avg] of this.average) {
        const weights = raw.get(`${EMA_PREFIX}${name}`) as tf.Tensor | undefined;
        const averaged = checkpoint.state_dict.get(name);
        if (!weights || !averaged) continue;
        avg.assign(averaged);
        checkpoint.state_dict.set(name, weights);
      }
    } else {
      if (runner.resume) runner.logger.warn('[EMAHook] the checkpoint has no ema_state_dict: the average starts from its weights');
      for (const [name, avg] of this.average) {
        const weights = checkpoint.state_dict.get(name);
        if (weights) avg.assign(weights);
      }
    }
  }

  override stateDict(): Record<string, unknown> {
    return { steps: this.steps };
  }

  override loadStateDict(state: Record<string, unknown>): void {
    this.steps = typeof state.steps === 'number' ? state.steps : 0;
  }

  private copyFromSource(): void {
    for (const [name, avg] of this.average) avg.assign(this.source.get(name)!);
  }

  /** Exchanges the model's weights and the average. */
  private swap(): void {
    tf.tidy(() => {
      for (const [name, avg] of this.average) {
        const weights = this.source.get(name)!;
        const kept = weights.clone();
        weights.assign(avg);
        avg.assign(kept);
      }
    });
  }
}
