/**
 * `Hook`: the whole extension surface of the runner, as MMEngine's `mmengine/hooks/hook.py`.
 *
 * Every method is a no-op named for the moment it runs; a hook overrides the few it needs, and the runner only
 * calls the methods a hook overrides. The 22 points run in this order over a run: `beforeRun`,
 * `afterLoadCheckpoint`, `beforeTrain`, `beforeTrainEpoch`, `beforeTrainIter`, `afterTrainIter`,
 * `afterTrainEpoch`, `beforeVal`, `beforeValEpoch`, `beforeValIter`, `afterValIter`, `afterValEpoch`,
 * `afterVal`, `beforeSaveCheckpoint`, `afterTrain`, `beforeTest`, `beforeTestEpoch`, `beforeTestIter`,
 * `afterTestIter`, `afterTestEpoch`, `afterTest`, `afterRun`.
 *
 * A hook with state across iterations names it: `stateKey` plus `stateDict()`/`loadStateDict()`, saved in the
 * checkpoint under `hooks.<stateKey>` and restored on resume.
 *
 * @example
 * \@HOOKS.register('CountItersHook')
 * class CountItersHook extends Hook {
 *   static override readonly defaultPriority = 'LOW';
 *   count = 0;
 *   override afterTrainIter(): void { this.count += 1; }
 * }
 */
import { getPriority, type Priority } from './priority.js';
import type { RunCheckpoint } from '../checkpoint/run-checkpoint.js';
import type { Runner } from '../runner/runner.js';

/** The 22 hook points, in the order a training run with validation and a final test reaches them. */
export const HOOK_STAGES = [
  'beforeRun',
  'afterLoadCheckpoint',
  'beforeTrain',
  'beforeTrainEpoch',
  'beforeTrainIter',
  'afterTrainIter',
  'afterTrainEpoch',
  'beforeVal',
  'beforeValEpoch',
  'beforeValIter',
  'afterValIter',
  'afterValEpoch',
  'afterVal',
  'beforeSaveCheckpoint',
  'afterTrain',
  'beforeTest',
  'beforeTestEpoch',
  'beforeTestIter',
  'afterTestIter',
  'afterTestEpoch',
  'afterTest',
  'afterRun',
] as const;

/** One hook point's method name. */
export type HookStage = (typeof HOOK_STAGES)[number];

/** Metrics a val or test epoch produced, by key (`coco/bbox_mAP`). */
export type Metrics = Record<string, number>;

/** What a hook method may return: nothing, or a promise the runner awaits before the next hook. */
export type HookResult = void | Promise<void>;

/** The arguments of a hook point after `runner`. */
export type HookArgs<S extends HookStage> = Hook[S] extends (runner: Runner, ...rest: infer A) => HookResult ? A : never;

/** Base class of every hook; see the file comment. */
export class Hook {
  /** The priority a hook of this class gets when neither the caller nor its config gives one. */
  static readonly defaultPriority: Priority = 'NORMAL';
  /** This hook's priority, 0 (first) to 100 (last). */
  priority: number;
  /** The key of this hook's state in checkpoints (`hooks.<stateKey>`); only hooks with state set it. */
  stateKey?: string;

  /** A hook starts at its class's `defaultPriority`; a config's `priority` is applied when it is registered. */
  constructor() {
    this.priority = getPriority((new.target as typeof Hook).defaultPriority);
  }

  /** This hook's state, saved in checkpoints (plain data; tensors allowed). */
  stateDict?(): Record<string, unknown>;
  /** Restores what `stateDict` returned, on resume. */
  loadStateDict?(state: Record<string, unknown>): void;

  /** Called once before anything else of a run (train, val or test). */
  beforeRun(_runner: Runner): HookResult {}
  /** Called once after everything else of a run. */
  afterRun(_runner: Runner): HookResult {}
  /** Called before the training loop starts. */
  beforeTrain(_runner: Runner): HookResult {}
  /** Called after the training loop ends (not after an interruption by a signal). */
  afterTrain(_runner: Runner): HookResult {}
  /** Called before each training epoch. */
  beforeTrainEpoch(_runner: Runner): HookResult {}
  /** Called after each training epoch, before validation. */
  afterTrainEpoch(_runner: Runner): HookResult {}
  /** Called before each training iteration. */
  beforeTrainIter(_runner: Runner, _batchIdx: number, _dataBatch?: unknown): HookResult {}
  /** Called after each training iteration; `outputs` are its losses as numbers (`loss`, `loss_cls`, ...). */
  afterTrainIter(_runner: Runner, _batchIdx: number, _dataBatch?: unknown, _outputs?: Record<string, number>): HookResult {}
  /** Called before the validation loop starts. */
  beforeVal(_runner: Runner): HookResult {}
  /** Called after the validation loop ends. */
  afterVal(_runner: Runner): HookResult {}
  /** Called before each validation epoch (one pass over the val dataloader). */
  beforeValEpoch(_runner: Runner): HookResult {}
  /** Called after each validation epoch with the evaluator's metrics. */
  afterValEpoch(_runner: Runner, _metrics?: Metrics): HookResult {}
  /** Called before each validation iteration. */
  beforeValIter(_runner: Runner, _batchIdx: number, _dataBatch?: unknown): HookResult {}
  /** Called after each validation iteration with the model's predictions for the batch. */
  afterValIter(_runner: Runner, _batchIdx: number, _dataBatch?: unknown, _outputs?: readonly unknown[]): HookResult {}
  /** Called before the test loop starts. */
  beforeTest(_runner: Runner): HookResult {}
  /** Called after the test loop ends. */
  afterTest(_runner: Runner): HookResult {}
  /** Called before each test epoch. */
  beforeTestEpoch(_runner: Runner): HookResult {}
  /** Called after each test epoch with the evaluator's metrics. */
  afterTestEpoch(_runner: Runner, _metrics?: Metrics): HookResult {}
  /** Called before each test iteration. */
  beforeTestIter(_runner: Runner, _batchIdx: number, _dataBatch?: unknown): HookResult {}
  /** Called after each test iteration with the model's predictions for the batch. */
  afterTestIter(_runner: Runner, _batchIdx: number, _dataBatch?: unknown, _outputs?: readonly unknown[]): HookResult {}
  /** Called just before a checkpoint is written; may add to or change `checkpoint`. */
  beforeSaveCheckpoint(_runner: Runner, _checkpoint: RunCheckpoint): HookResult {}
  /** Called after a checkpoint is read for resume or `load_from`, before its weights are copied into the model. */
  afterLoadCheckpoint(_runner: Runner, _checkpoint: RunCheckpoint): HookResult {}
}

/** The hook points `hook` overrides (MMEngine's `get_triggered_stages`): the only ones the runner calls on it. */
export function triggeredStages(hook: Hook): HookStage[] {
  return HOOK_STAGES.filter((stage) => hook[stage] !== Hook.prototype[stage]);
}

/** Whether the epoch just finished is a multiple of `n` (counted from `start`); `n <= 0` never triggers. */
export function everyNEpochs(runner: Runner, n: number, start = 0): boolean {
  const done = runner.epoch + 1;
  return n > 0 && done > start && (done - start) % n === 0;
}

/** Whether the iteration just finished is a multiple of `n` within its epoch. */
export function everyNInnerIters(batchIdx: number, n: number): boolean {
  return n > 0 && (batchIdx + 1) % n === 0;
}

/** Whether the iteration just finished is a multiple of `n` over the whole run (counted from `start`). */
export function everyNTrainIters(runner: Runner, n: number, start = 0): boolean {
  const done = runner.iter + 1;
  return n > 0 && done > start && (done - start) % n === 0;
}

/** Whether `batchIdx` is the last batch of an epoch of `length` batches. */
export function endOfEpoch(length: number, batchIdx: number): boolean {
  return batchIdx + 1 === length;
}

/** Whether the epoch running now is the last one of training. */
export function isLastTrainEpoch(runner: Runner): boolean {
  return runner.epoch + 1 === runner.maxEpochs;
}

/** Whether the iteration running now is the last one of training. */
export function isLastTrainIter(runner: Runner): boolean {
  return runner.iter + 1 === runner.maxIters;
}

/** A hook's name for messages: its class name. */
export function hookName(hook: Hook): string {
  return hook.constructor.name;
}
