/**
 * `train`: builds the Runner of a config from the registries and trains it. A distillation config whose teacher
 * checkpoint is missing first trains the teacher with its own config (`model.teacher` naming it), saying so, and
 * writes the teacher's weights to `teacher_ckpt`; then the student trains.
 *
 * @example
 * nx run trainer:train --config=atss_r18_tiny_mnistdet --cfg-options train_cfg.max_epochs=1 [--work-dir D] [--resume] [--backend wasm]
 */
import { exportTeacherWeights, teacherToTrain } from '@detlab/distill';
import { Runner } from '@detlab/engine';
import type { Config } from '@detlab/core';
import type { CliOptions } from '../args.js';
import { loadRunConfig } from '../load-run-config.js';
import { userPath } from '../workspace.js';
import type { CommandIO } from './io.js';
import { runServices } from './run-services.js';

/** Loads, validates and trains the config named by `--config` (its teacher first, when that is missing). */
export async function trainCommand(options: CliOptions, io: CommandIO): Promise<void> {
  const runner = await buildRunner(options, io, { trainTeacher: true });
  await runner.train();
}

/** Extra choices of `buildRunner`. */
export interface BuildRunnerExtra {
  /** Weights to load (`test`, `predict`). */
  loadFrom?: string;
  /** Train a distillation config's missing teacher before building the runner (`train`, `sweep`). */
  trainTeacher?: boolean;
}

/** The Runner of `--config` with the command line's overrides (`--backend`, `--work-dir`, `--resume`). */
export async function buildRunner(options: CliOptions, io: CommandIO, extra: BuildRunnerExtra = {}): Promise<Runner> {
  const cfgOptions = [...options.cfgOptions];
  if (options.backend) cfgOptions.push(`env_cfg.backend=${options.backend}`);
  const config = await loadRunConfig({ config: options.config, cfgOptions, logger: io.logger });
  if (extra.trainTeacher) await trainTeacherFirst(config, options, io);
  const imports = ((config.data.custom_imports as { imports?: string[] } | undefined)?.imports ?? []).map(String);
  return Runner.fromConfig(config, {
    workDir: options.workDir ? userPath(options.workDir) : undefined,
    resume: typeof options.resume === 'string' ? userPath(options.resume) : options.resume,
    loadFrom: extra.loadFrom,
    services: runServices(imports),
  });
}

/**
 * Trains the teacher of a distillation `config` when its `teacher_ckpt` is missing (see `teacherToTrain`): with
 * its own config, in runs under the checkpoint's folder (resuming an interrupted teacher run), with the command
 * line's cfg-options except `model.*` ones (the teacher has its own model); then exports its weights.
 */
export async function trainTeacherFirst(config: Config, options: CliOptions, io: CommandIO): Promise<void> {
  const todo = teacherToTrain(config.data);
  if (!todo) return;
  io.logger.info(`Teacher checkpoint ${todo.checkpoint} not found: training the teacher first (${todo.config}, runs under ${todo.workDir}), then the student`);
  const teacherOptions: CliOptions = {
    ...options,
    config: todo.config,
    cfgOptions: options.cfgOptions.filter((option) => !option.startsWith('model.')),
    workDir: todo.workDir,
    resume: true,
  };
  const runner = await buildRunner(teacherOptions, io);
  const teacher = await runner.train();
  try {
    await exportTeacherWeights(teacher, todo.checkpoint, { teacher_config: todo.config, run: runner.workDir, epoch: runner.epoch, iter: runner.iter });
  } finally {
    teacher.dispose();
  }
  io.logger.info(`Teacher trained: weights written to ${todo.checkpoint}; now the student`);
}
