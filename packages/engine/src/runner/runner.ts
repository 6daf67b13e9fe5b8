/**
 * `Runner`: builds a run from its resolved config and drives training, validation and testing through hooks,
 * as MMEngine's `mmengine/runner/runner.py` (mmdet-semantics §3).
 *
 * `Runner.fromConfig` makes the run folder (see `work-dir.ts`), the log file, the seed, the vis backends, the
 * model (MODELS) and the hooks (HOOKS). `train()` then follows MMEngine's order: build the train loop, the
 * optim wrapper, the parameter schedulers and the val loop; `beforeRun`; initialise weights; load or resume;
 * run the train loop; `afterRun`. SIGINT/SIGTERM during training finish the current iteration, save a
 * resumable checkpoint and end `train()` with `TrainingInterrupted`.
 *
 * @example
 * const runner = await Runner.fromConfig(config, { workDir: 'work_dirs/try1', services: rootContainer });
 * await runner.train();
 * const metrics = await runner.test();
 */
import { Config, DetlabError, RUN_CONTEXT, RUNNERS, type DependencyContainer, type FileAccess, type Logger } from '@detlab/core';
import { initWeights } from '@detlab/tensor';
import { basename } from 'node:path';
import type { RngState } from '../checkpoint/run-checkpoint.js';
import type { HookArgs, HookStage, Metrics } from '../hooks/hook.js';
import type { HookList } from '../hooks/hook-list.js';
import { MessageHub } from '../logging/message-hub.js';
import type { Loop, TrainLoop } from '../loops/loop-deps.js';
import type { Visualizer } from '../visualization/visualizer.js';
import { buildLoop } from './build-loops.js';
import type { DataParallel } from './data-parallel/data-parallel.js';
import { dataParallelFromConfig } from './data-parallel/from-config.js';
import { buildRunnerOptimWrapper, buildRunnerSchedulers } from './build-optim.js';
import { loadOrResume, saveRunnerCheckpoint, type SaveCheckpointOptions } from './checkpointing.js';
import { DATALOADER_FACTORY, buildDataloader, type Dataloader } from './dataloader.js';
import { buildEvaluator } from './evaluator.js';
import type { OptimWrapperLike, ParamSchedulerLike } from './optim-contract.js';
import { reseedForEpoch } from './randomness.js';
import { SignalGuard, TrainingInterrupted } from './signals.js';
import { prepareRun, type RunnerInit, type RunnerOptions } from './runner-setup.js';
import type { TrainableModel } from './trainable-model.js';

export type { RunnerInit, RunnerOptions } from './runner-setup.js';

/** Builds and runs training, validation and testing; see the file comment. */
@RUNNERS.register({ name: 'Runner', description: 'Hook-based runner with epoch/iteration loops (MMEngine Runner).' })
export class Runner {
  readonly cfg: Record<string, unknown>;
  readonly container: DependencyContainer;
  readonly logger: Logger;
  readonly fileAccess: FileAccess;
  /** This run's folder: `<work dir root>/<YYYY-MM-DD_HH-MM-SS>_<id>`. */
  readonly workDir: string;
  /** The folder of all runs of this config; `resume: true` looks here. */
  readonly workDirRoot: string;
  /** The run folder's name. */
  readonly experimentName: string;
  readonly configName: string;
  seed: number;
  readonly model: TrainableModel;
  readonly hooks: HookList;
  readonly messageHub = new MessageHub();
  readonly visualizer: Visualizer;
  readonly resume: boolean;
  readonly loadFrom: string | undefined;
  trainLoop?: TrainLoop;
  valLoop?: Loop;
  testLoop?: Loop;
  optimWrapper?: OptimWrapperLike;
  /** The worker replicas of data-parallel training (`env_cfg.num_workers_train` > 1), while training runs. */
  dataParallel?: DataParallel;
  paramSchedulers: ParamSchedulerLike[] = [];
  /** Where tensor's random sequence was last reset; saved in checkpoints. */
  rng?: RngState;
  /** Whether `load_from`/`resume` was applied already (it is, once per runner). */
  checkpointLoaded = false;
  /** The signal that asked training to stop, once one has. */
  interruptedBy?: NodeJS.Signals;
  private readonly handleSignals: boolean;
  /** Loaders this runner built from configs, closed when a run ends. */
  private readonly builtLoaders: Dataloader[] = [];

  constructor(init: RunnerInit) {
    this.cfg = init.cfg;
    this.container = init.container;
    this.logger = init.logger;
    this.fileAccess = init.fileAccess;
    this.workDir = init.workDir;
    this.workDirRoot = init.workDirRoot;
    this.experimentName = basename(init.workDir);
    this.configName = init.configName;
    this.seed = init.seed;
    this.visualizer = init.visualizer;
    this.model = init.model;
    this.hooks = init.hooks;
    this.resume = init.resume;
    this.loadFrom = init.loadFrom;
    this.handleSignals = init.handleSignals;
  }

  /**
   * Builds the runner a resolved config describes: the class `runner_type` names in RUNNERS (default `Runner`).
   * See the file comment for what is built here and what `train()` builds.
   */
  static async fromConfig(config: Config | Record<string, unknown>, options: RunnerOptions = {}): Promise<Runner> {
    const cfg = config instanceof Config ? config.data : config;
    const configFile = options.configFile ?? (config instanceof Config && config.filename ? config.filename : undefined);
    const type = typeof cfg.runner_type === 'string' ? cfg.runner_type : 'Runner';
    const target = RUNNERS.resolve(type, 'runner_type').target as typeof Runner;
    if (target !== this && this === Runner) return target.fromConfig(config, options);

    const runner = new this(await prepareRun(cfg, configFile, options));
    runner.logger.info(`Run folder: ${runner.workDir} (seed ${runner.seed})`);
    runner.logger.debug(`Hooks will be executed in the following order:\n${runner.hooks.describe()}`);
    return runner;
  }

  /** Epochs completed (during an epoch: the running one, 0-based). */
  get epoch(): number {
    return this.trainLoop?.epoch ?? 0;
  }

  /** Iterations completed (during an iteration: the running one, 0-based). */
  get iter(): number {
    return this.trainLoop?.iter ?? 0;
  }

  /** Epochs training runs for (1 for iteration-based training; 0 before `train()`). */
  get maxEpochs(): number {
    return this.trainLoop?.maxEpochs ?? 0;
  }

  /** Iterations training runs for (0 before `train()`). */
  get maxIters(): number {
    return this.trainLoop?.maxIters ?? 0;
  }

  /**
   * Trains as the config says; returns the model. Throws `TrainingInterrupted` after a SIGINT/SIGTERM. The vis
   * backends are flushed and closed at the end, whatever happened (MMEngine closes them after the run too;
   * a backend used again afterwards reopens).
   */
  async train(): Promise<TrainableModel> {
    try {
      await this.buildForTraining();
      await this.callHook('beforeRun');
      await (this.model.initWeights?.() ?? initWeights(this.model));
      await loadOrResume(this);
      this.optimWrapper!.initializeCountStatus?.(this.model, this.iter, this.maxIters, this.logger);
      await this.runTrainLoop();
      if (this.interruptedBy && this.iter < this.maxIters && !this.trainLoop!.stopTraining) {
        const checkpoint = await this.saveCheckpoint(`iter_${this.iter}.safetensors`, { counters: 'current' });
        throw new TrainingInterrupted(this.interruptedBy, checkpoint, this.iter);
      }
      await this.callHook('afterRun');
      return this.model;
    } finally {
      await this.finishRun();
    }
  }

  /** Runs the val loop once on the current (or `load_from`) weights; returns its metrics. */
  val(): Promise<Metrics> {
    return this.evaluateOnce('val');
  }

  /** Runs the test loop once on the current (or `load_from`) weights; returns its metrics. */
  test(): Promise<Metrics> {
    return this.evaluateOnce('test');
  }

  /** Calls hook point `stage` on every hook that overrides it, in priority order. */
  callHook<S extends HookStage>(stage: S, ...args: HookArgs<S>): Promise<void> {
    return this.hooks.call(stage, this, ...args);
  }

  /**
   * One optimisation step on `batch` (MMEngine's `train_step`); returns its losses as numbers. With data-parallel
   * replicas (`env_cfg.num_workers_train` > 1) the step is split between them and the result is a promise.
   */
  trainStep(batch: unknown): Record<string, number> | Promise<Record<string, number>> {
    const withNorm = ({ losses, gradNorm }: { losses: Record<string, number>; gradNorm?: number }) =>
      gradNorm === undefined ? losses : { ...losses, grad_norm: gradNorm };
    const optimWrapper = this.optimWrapper!;
    if (!this.dataParallel) return withNorm(optimWrapper.updateParams(() => this.model.loss(batch)));
    if (!optimWrapper.updateParamsWithGrads || !optimWrapper.trainableVariables) {
      throw new DetlabError(`env_cfg.num_workers_train: data-parallel training needs an optim wrapper with updateParamsWithGrads and trainableVariables; ${optimWrapper.constructor.name} has not`, {
        hint: "Use type: 'OptimWrapper', or set env_cfg.num_workers_train: 1.",
      });
    }
    return this.dataParallel.trainStep(batch, optimWrapper as Required<OptimWrapperLike>).then(withNorm);
  }

  /** Resets tensor's random sequence for `epoch` (see `randomness.ts`); the train loops call it. */
  reseed(epoch: number): void {
    this.rng = reseedForEpoch(this.seed, epoch);
  }

  /** Writes a checkpoint into the run folder and points `last_checkpoint` at it; returns its path. */
  saveCheckpoint(filename: string, options: SaveCheckpointOptions = {}): Promise<string> {
    return saveRunnerCheckpoint(this, filename, options);
  }

  /** The train dataloader, once `train()` has built it. */
  get trainDataloader(): Dataloader | undefined {
    return this.trainLoop?.dataloader;
  }

  private async evaluateOnce(phase: 'val' | 'test'): Promise<Metrics> {
    try {
      const loop = await this.buildEvalLoop(phase, true);
      if (phase === 'val') this.valLoop = loop;
      else this.testLoop = loop;
      await this.callHook('beforeRun');
      await loadOrResume(this);
      const metrics = (await loop!.run()) as Metrics;
      await this.callHook('afterRun');
      return metrics;
    } finally {
      await this.finishRun();
    }
  }

  /** Flushes and closes the vis backends and the loaders built for this run. */
  private async finishRun(): Promise<void> {
    await this.dataParallel?.close();
    this.dataParallel = undefined;
    await this.visualizer.close();
    for (const loader of this.builtLoaders.splice(0)) await loader.close?.();
  }

  /** MMEngine's build order: train loop, optim wrapper, lr scaling, schedulers, val loop. */
  private async buildForTraining(): Promise<void> {
    const dataloader = await this.buildDataloader('train_dataloader');
    const trainLoop = (this.trainLoop = buildLoop<TrainLoop>(this.cfg.train_cfg, 'train_cfg', { runner: this, dataloader }));
    const batchSize = batchSizeOf(this.cfg.train_dataloader);
    const optimWrapper = (this.optimWrapper = buildRunnerOptimWrapper(this.cfg, this.model, { batchSize, logger: this.logger }));
    const { maxEpochs, maxIters } = trainLoop;
    this.paramSchedulers = buildRunnerSchedulers(this.cfg, optimWrapper, { epochLength: dataloader.length, maxEpochs, maxIters });
    this.valLoop = await this.buildEvalLoop('val');
    const configFile = this.container.isRegistered(RUN_CONTEXT, true) ? this.container.resolve(RUN_CONTEXT).configFile : undefined;
    this.dataParallel = await dataParallelFromConfig(this.cfg, this.model, { seed: this.seed, configFile, logger: this.logger });
  }

  /** Runs the train loop with SIGINT/SIGTERM turned into a graceful stop. */
  private async runTrainLoop(): Promise<void> {
    const guard = this.handleSignals ? new SignalGuard((signal) => (this.interruptedBy = signal), this.logger) : undefined;
    guard?.install();
    try {
      await this.trainLoop!.run();
    } finally {
      guard?.uninstall();
    }
  }

  private async buildEvalLoop(phase: 'val' | 'test', required = false): Promise<Loop | undefined> {
    const key = `${phase}_dataloader` as const;
    if (this.cfg[key] == null && !required) return undefined;
    const dataloader = await this.buildDataloader(key);
    const evaluatorCfg = this.cfg[`${phase}_evaluator`];
    const evaluator = evaluatorCfg == null ? undefined : buildEvaluator(evaluatorCfg, `${phase}_evaluator`);
    return buildLoop<Loop>(this.cfg[`${phase}_cfg`], `${phase}_cfg`, { runner: this, dataloader, evaluator });
  }

  private async buildDataloader(key: 'train_dataloader' | 'val_dataloader' | 'test_dataloader'): Promise<Dataloader> {
    const factory = this.container.isRegistered(DATALOADER_FACTORY, true) ? this.container.resolve(DATALOADER_FACTORY) : undefined;
    const loader = await buildDataloader(this.cfg[key], { path: key, seed: this.seed }, factory);
    if (loader !== this.cfg[key]) this.builtLoaders.push(loader);
    return loader;
  }
}

/** `batch_size` of a dataloader config or object (for auto_scale_lr), when it says. */
function batchSizeOf(loader: unknown): number | undefined {
  const value = (loader as { batch_size?: unknown; batchSize?: unknown } | null)?.batch_size ?? (loader as { batchSize?: unknown } | null)?.batchSize;
  return typeof value === 'number' ? value : undefined;
}
