/**
 * What the runner hands a loop when it builds one: itself, the loop's dataloader and, for val and test loops,
 * the evaluator. Loops are built as `new Loop(options, deps)`, where `options` are the validated keys of
 * `train_cfg`/`val_cfg`/`test_cfg`; this keeps a loop's schema strict (a typo in `max_epochs` is an error).
 *
 * @example
 * const loop = new EpochBasedTrainLoop({ max_epochs: 12 }, { runner, dataloader });
 */
import type { Runner } from '../runner/runner.js';
import type { Dataloader } from '../runner/dataloader.js';
import type { Evaluator } from '../runner/evaluator.js';

/** What every loop is built with besides its options. */
export interface LoopDeps {
  runner: Runner;
  dataloader: Dataloader;
  /** The metrics of a val or test loop. */
  evaluator?: Evaluator;
}

/** A loop: `run()` drives the hooks of its phase. */
export interface Loop {
  readonly dataloader: Dataloader;
  run(): Promise<unknown>;
}

/** What the runner, hooks and checkpoints read of a training loop. */
export interface TrainLoop extends Loop {
  /** Epochs completed; during an epoch, the 0-based index of the running one. */
  epoch: number;
  /** Iterations completed; during an iteration, the 0-based index of the running one. */
  iter: number;
  readonly maxEpochs: number;
  readonly maxIters: number;
  /** Whether checkpoints and schedules count epochs (true) or iterations. */
  readonly byEpoch: boolean;
  /** Set by a hook (EarlyStoppingHook) to end training after the current epoch, normally. */
  stopTraining: boolean;
}
