/**
 * Loading a frozen teacher's weights from `teacher_ckpt`: a runner checkpoint (its `state_dict.*` tensors) or a
 * weights-only file (a converted PyTorch model, an exported teacher). Strict, unlike `load_from`: a teacher
 * with missing or unexpected weights would distil noise (the MMRazor pain point "teacher not loaded", mmdet
 * reference §6 row 12), so every mismatch is an error listing the keys.
 *
 * @example
 * await loadTeacherWeights(teacher, 'work_dirs/atss_teacher/teacher.safetensors', { teacherConfig: 'configs/distill/atss_teacher.ts' });
 */
import { existsSync } from 'node:fs';
import { RUN_CHECKPOINT_FORMAT } from '@detlab/engine';
import { CheckpointError, loadCheckpoint, loadStateDictInto, moduleStateTarget, type LoadStateDictReport, type Module } from '@detlab/tensor';
import * as tf from '@tensorflow/tfjs-core';

/** Options of `loadTeacherWeights`. */
export interface LoadTeacherWeightsOptions {
  /** The config the teacher was trained with, for the hint of a missing file. */
  teacherConfig?: string | null;
  /** The config path of the checkpoint setting, named in errors. */
  configPath?: string;
}

/** Loads `path` into `teacher`, strictly; see the file comment. */
export async function loadTeacherWeights(teacher: Module, path: string, options: LoadTeacherWeightsOptions = {}): Promise<LoadStateDictReport> {
  const configPath = options.configPath ?? 'model.teacher_ckpt';
  if (!existsSync(path)) {
    const train = options.teacherConfig
      ? `Train it with \`nx run trainer:train --config=${options.teacherConfig}\` and export its weights, or run this config with \`nx run trainer:train\`, which trains the teacher first when ${configPath} is missing.`
      : `Point ${configPath} at the teacher's trained weights (a run checkpoint or a weights file), or name the teacher's config in model.teacher so \`trainer:train\` can train it first.`;
    throw new CheckpointError(`${configPath}: teacher checkpoint not found: ${path}`, { file: path, hint: train });
  }
  const kinds = teacher.stateKinds();
  const { state, metadata } = await loadCheckpoint(path, { kinds: (name) => kinds.get(weightName(name)) });
  const isRun = metadata.format === RUN_CHECKPOINT_FORMAT;
  const weights = new Map<string, tf.Tensor>();
  for (const [name, tensor] of state) if (!isRun || name.startsWith('state_dict.')) weights.set(weightName(name), tensor);
  try {
    return loadStateDictInto(moduleStateTarget(teacher), weights, { strict: true, file: path });
  } finally {
    tf.dispose([...state.values()]);
  }
}

/** A file tensor's weight name: without `state_dict.` (runner checkpoints) or `module.` (DataParallel). */
function weightName(name: string): string {
  return name.replace(/^state_dict\./, '').replace(/^module\./, '');
}
