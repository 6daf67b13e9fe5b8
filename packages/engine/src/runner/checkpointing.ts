/**
 * The runner's checkpoints: saving (MMEngine's `Runner.save_checkpoint`), resuming (`Runner.resume`) and
 * loading weights only (`load_from`), with `load_or_resume` choosing between them (mmdet-semantics §3.6, §3.7).
 *
 * Resume restores, in order: the loop counters, the message hub, the optimizer, the schedulers (by position),
 * hook states and the random state, after the `afterLoadCheckpoint` hooks and before the weights are copied
 * into the model (so a hook such as EMAHook can swap weights in the checkpoint first). Weights-only loading is
 * non-strict: missing and unexpected keys are logged, not fatal, and a leading `module.` is stripped.
 *
 * @example
 * await saveRunnerCheckpoint(runner, 'epoch_3.safetensors', { counters: 'epoch' });
 * await loadOrResume(runner); // per resume / load_from
 */
import { DetlabError } from '@detlab/core';
import { CheckpointError, loadCheckpoint, loadStateDictInto, moduleStateTarget, type LoadStateDictReport } from '@detlab/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { disposeRunCheckpoint, readRunCheckpoint, RUN_CHECKPOINT_FORMAT, writeRunCheckpoint } from '../checkpoint/checkpoint-file.js';
import { writeLastCheckpoint } from '../checkpoint/last-checkpoint.js';
import type { RunCheckpoint } from '../checkpoint/run-checkpoint.js';
import type { MessageHubState } from '../logging/message-hub.js';
import { configText } from './config-text.js';
import { reseedForEpoch } from './randomness.js';
import type { Runner } from './runner.js';
import { findLatestCheckpoint } from './work-dir.js';

const ENGINE_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** Options of `saveRunnerCheckpoint`. */
export interface SaveCheckpointOptions {
  /**
   * Which counters `meta` records: `epoch` (an epoch just ended: epoch + 1, iter), `iter` (an iteration just
   * ended: epoch, iter + 1) or `current` (as they stand, between iterations: a signal's checkpoint).
   */
  counters?: 'epoch' | 'iter' | 'current';
  /** Save the optimizer state (default true). */
  saveOptimizer?: boolean;
  /** Save the parameter schedulers' states (default true). */
  saveParamScheduler?: boolean;
  /** Point both `last_checkpoint` files at it (default true; best checkpoints do not). */
  updatePointer?: boolean;
}

/** Writes a checkpoint of `runner` to `<run folder>/<filename>` and (by default) points both `last_checkpoint` files at it. */
export async function saveRunnerCheckpoint(runner: Runner, filename: string, options: SaveCheckpointOptions = {}): Promise<string> {
  const { counters = 'current', saveOptimizer = true, saveParamScheduler = true, updatePointer = true } = options;
  const hookStates = Object.fromEntries(runner.hooks.hooks.filter((h) => h.stateKey && h.stateDict).map((h) => [h.stateKey!, h.stateDict!()]));
  const checkpoint: RunCheckpoint = {
    meta: {
      epoch: runner.epoch + (counters === 'epoch' ? 1 : 0),
      iter: runner.iter + (counters === 'iter' ? 1 : 0),
      cfg: configText(runner.cfg),
      seed: runner.seed,
      experiment_name: runner.experimentName,
      time: compactTime(new Date()),
      detlab_version: ENGINE_VERSION,
      dataset_meta: runner.trainDataloader?.dataset?.metainfo,
    },
    state_dict: runner.model.stateDict(),
    optimizer: saveOptimizer ? runner.optimWrapper?.stateDict() : undefined,
    param_schedulers: saveParamScheduler ? runner.paramSchedulers.map((s) => s.stateDict()) : undefined,
    message_hub: runner.messageHub.stateDict(),
    rng: runner.rng,
    hooks: hookStates,
  };
  await runner.callHook('beforeSaveCheckpoint', checkpoint);
  const path = join(runner.workDir, filename);
  await writeRunCheckpoint(path, checkpoint, runner.fileAccess);
  if (updatePointer) {
    await writeLastCheckpoint(runner.workDir, path, runner.fileAccess);
    await writeLastCheckpoint(runner.workDirRoot, path, runner.fileAccess);
  }
  return path;
}

/**
 * MMEngine's `load_or_resume`: resume (from `load_from`, else the newest checkpoint), or load weights only.
 * Runs once per runner, so `test()` after `train()` keeps the trained weights.
 */
export async function loadOrResume(runner: Runner): Promise<void> {
  if (runner.checkpointLoaded) return;
  runner.checkpointLoaded = true;
  if (runner.resume && runner.trainLoop) {
    const path = runner.loadFrom ?? (await findLatestCheckpoint(runner.workDirRoot, runner.fileAccess));
    if (!path) {
      runner.logger.info(`resume: no checkpoint under ${runner.workDirRoot} yet, so training starts from scratch`);
      return;
    }
    await resumeFrom(runner, path);
  } else if (runner.loadFrom) {
    await loadWeightsFrom(runner, runner.loadFrom);
  }
}

/** Restores everything a checkpoint holds into `runner` (see the file comment); the train loop must be built. */
export async function resumeFrom(runner: Runner, path: string): Promise<void> {
  const loop = runner.trainLoop;
  if (!loop) throw new DetlabError('resumeFrom: build the train loop first (Runner.train does)');
  const checkpoint = await readRunCheckpoint(path, { fileAccess: runner.fileAccess });
  try {
    await runner.callHook('afterLoadCheckpoint', checkpoint);
    const { meta } = checkpoint;
    loop.epoch = meta.epoch;
    loop.iter = meta.iter;
    if (meta.seed !== runner.seed) {
      const explicit = (runner.cfg.randomness as { seed?: unknown } | undefined)?.seed;
      if (explicit != null) runner.logger.warn(`resume: the checkpoint was trained with seed ${meta.seed}, this config sets ${runner.seed}; keeping ${runner.seed}`);
      else runner.seed = meta.seed;
    }
    if (checkpoint.message_hub) runner.messageHub.loadStateDict(checkpoint.message_hub as MessageHubState);
    if (checkpoint.optimizer !== undefined) runner.optimWrapper?.loadStateDict(checkpoint.optimizer as never);
    restoreSchedulers(runner, checkpoint.param_schedulers, path);
    for (const hook of runner.hooks.hooks) {
      const state = hook.stateKey ? checkpoint.hooks?.[hook.stateKey] : undefined;
      if (state !== undefined) hook.loadStateDict?.(state as Record<string, unknown>);
    }
    if (checkpoint.rng) runner.rng = reseedForEpoch(runner.seed, checkpoint.rng.epoch);
    const report = loadStateDictInto(moduleStateTarget(runner.model), checkpoint.state_dict, { strict: false, file: path });
    logSkipped(runner, report, path);
    runner.logger.info(`Resumed from ${path} at epoch ${meta.epoch}, iteration ${meta.iter}`);
  } finally {
    disposeRunCheckpoint(checkpoint);
  }
}

/** Loads only the model weights of `path` (a runner checkpoint or any weights file), non-strictly. */
export async function loadWeightsFrom(runner: Runner, path: string): Promise<void> {
  const kinds = runner.model.stateKinds();
  const { state, metadata } = await loadCheckpoint(path, {
    fileAccess: runner.fileAccess,
    kinds: (name) => kinds.get(modelKey(name)),
  });
  const isRun = metadata.format === RUN_CHECKPOINT_FORMAT;
  const weights = new Map<string, tf.Tensor>();
  for (const [name, tensor] of state) {
    if (!isRun || name.startsWith('state_dict.')) weights.set(modelKey(name), tensor);
  }
  const checkpoint = { meta: (metadata.meta ?? {}) as RunCheckpoint['meta'], state_dict: weights };
  try {
    // Runner checkpoints also hold optimizer and hook tensors: read, then dropped with the rest below.
    await runner.callHook('afterLoadCheckpoint', checkpoint);
    const report = loadStateDictInto(moduleStateTarget(runner.model), checkpoint.state_dict, { strict: false, file: path });
    logSkipped(runner, report, path);
    runner.logger.info(`Loaded weights from ${path} (${report.loaded.length} tensors)`);
  } finally {
    tf.dispose([...state.values(), ...checkpoint.state_dict.values()]);
  }
}

/** A file tensor's model name: without `state_dict.` (runner checkpoints) or `module.` (DataParallel). */
function modelKey(name: string): string {
  return name.replace(/^state_dict\./, '').replace(/^module\./, '');
}

function restoreSchedulers(runner: Runner, saved: unknown[] | undefined, path: string): void {
  if (!saved) return;
  if (saved.length !== runner.paramSchedulers.length) {
    throw new CheckpointError(`the checkpoint has ${saved.length} parameter scheduler states, this config builds ${runner.paramSchedulers.length}`, {
      file: path,
      hint: 'Resume with the param_scheduler list the checkpoint was trained with.',
    });
  }
  runner.paramSchedulers.forEach((scheduler, i) => scheduler.loadStateDict(saved[i] as never));
}

function logSkipped(runner: Runner, report: LoadStateDictReport, path: string): void {
  const parts = [
    report.missingKeys.length ? `missing keys: ${report.missingKeys.join(', ')}` : '',
    report.unexpectedKeys.length ? `unexpected keys: ${report.unexpectedKeys.join(', ')}` : '',
    report.shapeMismatches.length ? `shape mismatches: ${report.shapeMismatches.map((m) => `${m.name} [${m.found}] vs [${m.expected}]`).join(', ')}` : '',
  ].filter(Boolean);
  if (parts.length) runner.logger.warn(`${path}: ${parts.join('; ')}`);
}

/** `YYYYMMDD_HHMMSS`, local time, as MMEngine's `meta.time`. */
function compactTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}
