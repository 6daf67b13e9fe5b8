/**
 * `ParamScheduler`: the base of parameter schedulers; mirrors MMEngine's `_ParamScheduler`
 * (`mmengine/optim/scheduler/param_scheduler.py`).
 *
 * A scheduler is active for global steps in [begin, end). Each `step()` increments the global step and, in
 * range, increments `last_step` and sets every group's value from the subclass's chainable (recursive) formula,
 * which multiplies the current value, so overlapping schedulers compose as in MMEngine. The first scheduler
 * to touch a group records `initial_<param>` there; `base_values` are those. Construction performs the first
 * step (MMEngine does too): LinearLR lowers the lr at once. `by_epoch` schedulers are stepped after each train
 * epoch, the others after each train iteration. `convert_to_iter_based` multiplies begin, end (and
 * milestones, T_max) by the epoch length and makes the scheduler iteration-based.
 *
 * Departure: `loadStateDict` restores the counters and base values only, so a resumed run keeps the
 * hyper-parameters of its config (MMEngine restores every attribute from the checkpoint).
 *
 * @example
 * param_scheduler: [{ type: 'LinearLR', start_factor: 0.001, by_epoch: false, begin: 0, end: 500 },
 *   { type: 'MultiStepLR', begin: 0, end: 12, by_epoch: true, milestones: [8, 11], gamma: 0.1 }]
 */
import { DetlabError } from '@detlab/core';
import { z } from 'zod';
import { hyperNumber, type ParamGroup, type ParamGroupsOwner } from '../optimizer/param-group.js';

/**
 * MMEngine's `INF = int(1e9)`: an open `end` that stays a finite number in JSON checkpoints.
 *
 * @example
 * param_scheduler: { type: 'MultiStepLR', milestones: [8, 11] } // end: INF, unless the runner gives max_epochs
 */
export const INF = 1e9;

/**
 * Keys every scheduler accepts. `optimizer` and `epoch_length` are filled in by `buildSchedulers`.
 *
 * @example
 * z.strictObject({ ...schedulerBaseShape, gamma: z.number() }).superRefine(checkSchedulerRange)
 */
export const schedulerBaseShape = {
  optimizer: z.custom<ParamGroupsOwner>((v) => typeof v === 'object' && v !== null && 'paramGroups' in v, 'expected an optimizer or optim wrapper').optional(),
  /** Iterations per epoch, for convert_to_iter_based. */
  epoch_length: z.int().positive().optional(),
  /** First step (epoch or iteration) at which the scheduler acts. */
  begin: z.int().nonnegative().default(0),
  /** Step at which it stops acting (exclusive). */
  end: z.int().positive().default(INF),
  by_epoch: z.boolean().default(true),
  /** Turn an epoch-based config into an iteration-based scheduler (smoother curves, same shape). */
  convert_to_iter_based: z.boolean().default(false),
};

/**
 * Options every scheduler has, after parsing.
 *
 * @example
 * const o: SchedulerBaseOptions = { begin: 0, end: 12, by_epoch: true, convert_to_iter_based: false };
 */
export interface SchedulerBaseOptions {
  optimizer?: ParamGroupsOwner;
  epoch_length?: number;
  begin: number;
  end: number;
  by_epoch: boolean;
  convert_to_iter_based: boolean;
}

/**
 * The refinement every scheduler schema applies: `end` after `begin`.
 *
 * @example
 * z.strictObject(schedulerBaseShape).superRefine(checkSchedulerRange)
 */
export function checkSchedulerRange(o: { begin: number; end: number }, ctx: z.RefinementCtx): void {
  if (o.end <= o.begin) ctx.addIssue({ code: 'custom', path: ['end'], message: `expected a step after begin = ${o.begin}, got ${o.end}` });
}

/**
 * A scheduler's checkpoint entry (JSON), key names as MMEngine's state dict.
 *
 * @example
 * { type: 'LinearLR', begin: 0, end: 500, by_epoch: false, last_step: 499, _global_step: 1199, base_values: [0.01], _last_value: [0.01] }
 */
export interface SchedulerState {
  type: string;
  begin: number;
  end: number;
  by_epoch: boolean;
  last_step: number;
  _global_step: number;
  base_values: number[];
  _last_value: number[];
}

/**
 * Base class of parameter schedulers; see the file comment. Subclasses read their options from `this.options`
 * (class fields of a subclass would be set only after this constructor ran its first step).
 *
 * @example
 * param_scheduler: { type: 'CosineAnnealingLR', T_max: 12, by_epoch: true, begin: 0, end: 12 }
 */
export abstract class ParamScheduler<O extends SchedulerBaseOptions = SchedulerBaseOptions> {
  /** The hyper-parameter scheduled: 'lr' (or 'momentum' for momentum schedulers). */
  readonly paramName: string;
  readonly begin: number;
  readonly end: number;
  /** Step after each epoch (true) or after each iteration (false). */
  readonly byEpoch: boolean;
  /** Steps taken inside [begin, end), −1 before the first. */
  lastStep = -1;
  /** Every group's `initial_<param>`, recorded at construction. */
  baseValues: number[];
  protected readonly options: O;
  private readonly optimizer: ParamGroupsOwner;
  private globalStep = -1;
  private lastValue: number[] = [];

  protected constructor(options: O, paramName: string) {
    const type = new.target.name;
    if (!options.optimizer) {
      throw new DetlabError(`${type}: no optimizer to schedule`, {
        hint: 'Build schedulers with buildSchedulers(cfg.param_scheduler, optimWrapper, { epochLength }).',
      });
    }
    this.optimizer = options.optimizer;
    this.paramName = paramName;
    this.options = options.convert_to_iter_based ? this.toIterBased(type, options) : options;
    this.begin = this.options.begin;
    this.end = this.options.end;
    this.byEpoch = this.options.by_epoch;
    const initialKey = `initial_${paramName}`;
    for (const { hyper } of this.groups) if (!(initialKey in hyper)) hyper[initialKey] = hyperNumber(hyper, paramName);
    this.baseValues = this.groups.map(({ hyper }) => hyperNumber(hyper, initialKey));
    this.step();
  }

  /** Registered name, as written in configs and checkpoints. */
  get type(): string {
    return this.constructor.name;
  }

  /** Advances one step (an epoch or an iteration, per `byEpoch`) and, inside [begin, end), sets the values. */
  step(): void {
    this.globalStep += 1;
    if (this.begin <= this.globalStep && this.globalStep < this.end) {
      this.lastStep += 1;
      const values = this.getValue();
      this.groups.forEach(({ hyper }, i) => (hyper[this.paramName] = values[i]));
    }
    this.lastValue = this.current();
  }

  /** The values after the last step, by group. */
  getLastValue(): number[] {
    return [...this.lastValue];
  }

  /** Counters and base values as JSON (see `SchedulerState`). */
  stateDict(): SchedulerState {
    return {
      type: this.type,
      begin: this.begin,
      end: this.end,
      by_epoch: this.byEpoch,
      last_step: this.lastStep,
      _global_step: this.globalStep,
      base_values: [...this.baseValues],
      _last_value: [...this.lastValue],
    };
  }

  /** Restores counters and base values; load the optimizer's state too, as it holds the current values. */
  loadStateDict(state: SchedulerState): void {
    if (state.type !== this.type) {
      throw new DetlabError(`${this.type}.loadStateDict: the state was written by ${state.type}, expected ${this.type}`, {
        hint: 'Keep param_scheduler in the same order as in the run that wrote the checkpoint.',
      });
    }
    if (state.base_values.length !== this.baseValues.length) {
      throw new DetlabError(
        `${this.type}.loadStateDict: the state has ${state.base_values.length} param groups, this optimizer ${this.baseValues.length}`,
        { hint: 'Resume with the same paramwise_cfg (it decides the number of groups).' },
      );
    }
    this.lastStep = state.last_step;
    this.globalStep = state._global_step;
    this.baseValues = [...state.base_values];
    this.lastValue = [...state._last_value];
  }

  /** Next values from the current ones: the chainable form of the subclass's schedule. */
  protected abstract getValue(): number[];

  /** Extra conversions of `convert_to_iter_based` beyond begin and end (milestones, T_max). */
  protected convertExtra(options: O, _epochLength: number): O {
    return options;
  }

  /** The groups' current values of the scheduled parameter. */
  protected current(): number[] {
    return this.groups.map(({ hyper }) => hyperNumber(hyper, this.paramName));
  }

  private get groups(): readonly ParamGroup[] {
    return this.optimizer.paramGroups;
  }

  private toIterBased(type: string, o: O): O {
    if (!o.by_epoch) {
      throw new DetlabError(`${type}: convert_to_iter_based converts epoch-based configs, but by_epoch is false`, {
        hint: 'Drop convert_to_iter_based, or set by_epoch: true and give begin/end in epochs.',
      });
    }
    const n = o.epoch_length;
    if (n === undefined) {
      throw new DetlabError(`${type}: convert_to_iter_based needs the epoch length (iterations per epoch)`, {
        hint: 'Build schedulers with buildSchedulers(cfgs, optimWrapper, { epochLength: trainDataloader.length }).',
      });
    }
    const converted = { ...o, begin: o.begin * n, end: o.end === INF ? INF : o.end * n, by_epoch: false };
    return this.convertExtra(converted, n);
  }
}
