/**
 * @detlab/engine: Runner, loops, hooks, optimizers and OptimWrapper, LR schedulers, MessageHub, checkpoints and LoggerHook (issue 6).
 *
 * Importing this package registers its classes (loops, hooks, optimizers, schedulers, LocalVisBackend, Runner) in
 * the root registries of @detlab/core.
 */

// Runner, loops, hooks, checkpoints, logging and visualization (issue 6: the runner part).
export { Hook, HOOK_STAGES, triggeredStages, everyNEpochs, everyNInnerIters, everyNTrainIters, endOfEpoch, isLastTrainEpoch, isLastTrainIter, hookName, type HookStage, type HookArgs, type HookResult, type Metrics } from './hooks/hook.js';
export { PRIORITIES, getPriority, prioritySchema, type Priority, type PriorityName } from './hooks/priority.js';
export { HookList } from './hooks/hook-list.js';
export { DEFAULT_HOOKS, mergeDefaultHooks, buildHooks, registerHook, type HookCfg, type HooksConfig } from './hooks/build-hooks.js';
export { inferRule, isImprovement, GREATER_KEYS, LESS_KEYS, type MetricRule } from './hooks/metric-rule.js';
export { RuntimeInfoHook, runtimeInfoHookSchema } from './hooks/runtime-info-hook.js';
export { IterTimerHook, iterTimerHookSchema } from './hooks/iter-timer-hook.js';
export { LoggerHook, loggerHookSchema, type LoggerHookOptions } from './hooks/logger-hook.js';
export { ParamSchedulerHook, paramSchedulerHookSchema } from './hooks/param-scheduler-hook.js';
export { CheckpointHook, checkpointHookSchema, type CheckpointHookOptions } from './hooks/checkpoint-hook.js';
export { EarlyStoppingHook, earlyStoppingHookSchema, type EarlyStoppingHookOptions } from './hooks/early-stopping-hook.js';
export { EMAHook, emaHookSchema, type EMAHookOptions } from './hooks/ema-hook.js';
export { CheckInvalidLossHook, checkInvalidLossHookSchema } from './hooks/check-invalid-loss-hook.js';
export { TensorLeakGuardHook, tensorLeakGuardHookSchema, type TensorLeakGuardHookOptions } from './hooks/tensor-leak-guard-hook.js';
export { DistSamplerSeedHook, distSamplerSeedHookSchema } from './hooks/dist-sampler-seed-hook.js';
export { DetVisualizationHook, detVisualizationHookSchema, type DetVisualizationHookOptions } from './hooks/det-visualization-hook.js';

export { EpochBasedTrainLoop, epochBasedTrainLoopSchema, type EpochBasedTrainLoopOptions } from './loops/epoch-based-train-loop.js';
export { IterBasedTrainLoop, iterBasedTrainLoopSchema, type IterBasedTrainLoopOptions } from './loops/iter-based-train-loop.js';
export { ValLoop, valLoopSchema } from './loops/val-loop.js';
export { TestLoop, testLoopSchema } from './loops/test-loop.js';
export { inTensorScope } from './loops/tensor-scope.js';
export type { Loop, LoopDeps, TrainLoop } from './loops/loop-deps.js';

export { Runner, type RunnerOptions, type RunnerInit } from './runner/runner.js';
export { assertTrainableModel, type TrainableModel } from './runner/trainable-model.js';
export { DATALOADER_FACTORY, buildDataloader, isDataloader, type Dataloader, type DataloaderFactory, type DataloaderContext } from './runner/dataloader.js';
export { Evaluator, buildEvaluator, evaluatorSchema, type Metric } from './runner/evaluator.js';
export type { OptimWrapperLike, ParamSchedulerLike } from './runner/optim-contract.js';
export { DataParallel, type DataParallelOptions, type DataParallelOptimWrapper, type DataParallelTimings } from './runner/data-parallel/data-parallel.js';
export { dataParallelFromConfig, trainReplicaCount, wasmThreadsFor, oneDnnFor, type DataParallelContext } from './runner/data-parallel/from-config.js';
export { splitBatch, shardSizes, batchLength, type SplitsBatches } from './runner/data-parallel/split-batch.js';
export { SignalGuard, TrainingInterrupted, STOP_SIGNALS } from './runner/signals.js';
export { workDirRoot, configNameOf, runFolderName, createRunDir, listRunDirs, findLatestCheckpoint, RUN_FOLDER_PATTERN, type WorkDirSources } from './runner/work-dir.js';
export { resolveSeed, epochSeed, reseedForEpoch } from './runner/randomness.js';
export { saveRunnerCheckpoint, loadOrResume, resumeFrom, loadWeightsFrom, type SaveCheckpointOptions } from './runner/checkpointing.js';
export { configText } from './runner/config-text.js';

export type { RunCheckpoint, CheckpointMeta, RngState } from './checkpoint/run-checkpoint.js';
export { writeRunCheckpoint, readRunCheckpoint, disposeRunCheckpoint, RUN_CHECKPOINT_FORMAT, type ReadRunCheckpointOptions } from './checkpoint/checkpoint-file.js';
export { writeLastCheckpoint, readLastCheckpoint, LAST_CHECKPOINT_FILE } from './checkpoint/last-checkpoint.js';
export { encodeState, decodeState } from './checkpoint/state-codec.js';

export { MessageHub, type MessageHubState } from './logging/message-hub.js';
export { HistoryBuffer, type HistoryBufferState } from './logging/history-buffer.js';
export { ProgressBar, type BarStream } from './logging/progress-bar.js';
export { epochHead, iterHead, formatLogLine, formatValue, formatDuration } from './logging/log-line.js';

export { LocalVisBackend, localVisBackendSchema, type LocalVisBackendOptions } from './visualization/local-vis-backend.js';
export { Visualizer, buildVisualizer } from './visualization/visualizer.js';
export type { VisBackend, VisBackendOptions } from './visualization/vis-backend.js';
export {
  drawDetections,
  drawDataSample,
  readImageForDrawing,
  classColor,
  upscaleFactor,
  PANEL_GAP,
  type DrawImage,
  type DrawBoxes,
  type DrawOptions,
} from './visualization/draw-detections.js';
export { imageGrid, type ImageGridOptions } from './visualization/image-grid.js';

// Optimizers, OptimWrapper, paramwise_cfg, auto_scale_lr and parameter schedulers (issue 6: the optim part).
export * from './optim/index.js';
export { loopConfigSchema, randomnessSchema, logProcessorSchema } from './runner/config-keys.js';
