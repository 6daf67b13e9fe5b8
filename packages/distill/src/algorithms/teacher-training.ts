/**
 * What `trainer:train` needs to train a missing teacher first: whether a distillation config's teacher
 * checkpoint is missing and which config trains it (`teacherToTrain`), and writing the trained teacher's weights
 * to `teacher_ckpt` (`exportTeacherWeights`). The runs themselves are the trainer's (it owns the runner).
 *
 * @example
 * const todo = teacherToTrain(config.data); // { config: '/repo/configs/distill/atss_teacher.ts', checkpoint: '/repo/work_dirs/atss_teacher/teacher.safetensors', workDir: ... }
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isPlainObject, normalizeConfig } from '@detlab/core';
import { saveCheckpoint, type Module } from '@detlab/tensor';

/** A teacher to train before the student: its config, where its weights go, and its runs' folder. */
export interface TeacherToTrain {
  /** The teacher's config file. */
  config: string;
  /** Absolute path of `teacher_ckpt`, written when the teacher's training ends. */
  checkpoint: string;
  /** The teacher's work-dir root: the checkpoint's folder (its runs go below it, and resume from it). */
  workDir: string;
}

/**
 * The teacher `config` (in either form) needs trained first: its `teacher_ckpt` is missing and `teacher_config`
 * names the config that trains it. Undefined when there is nothing to do (no teacher, the checkpoint exists) or
 * nothing we can do (no teacher config: loading the teacher then fails with the way out). Relative paths are
 * taken from `cwd`.
 */
export function teacherToTrain(config: Record<string, unknown>, cwd = process.cwd()): TeacherToTrain | undefined {
  const model = normalizeConfig(config).config.model;
  if (!isPlainObject(model) || typeof model.teacher_ckpt !== 'string' || typeof model.teacher_config !== 'string') return undefined;
  const checkpoint = resolve(cwd, model.teacher_ckpt);
  if (existsSync(checkpoint)) return undefined;
  return { config: resolve(cwd, model.teacher_config), checkpoint, workDir: dirname(checkpoint) };
}

/** Writes `teacher`'s weights (weights only, atomically) to `path`, with where they came from in the metadata. */
export async function exportTeacherWeights(teacher: Module, path: string, metadata: Record<string, unknown> = {}): Promise<void> {
  await saveCheckpoint(path, teacher.stateDict(), { kind: 'teacher weights', ...metadata });
}
