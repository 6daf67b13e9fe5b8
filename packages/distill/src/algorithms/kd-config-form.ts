/**
 * The config forms of distillation, registered with core's `registerConfigForm` when this package loads:
 *
 * 1. A teacher named by config (`model.teacher: 'atss_teacher'`, in either form) is replaced, when the config file
 *    is loaded, by that config's `model`, and `model.teacher_config` records the file (so `trainer:train` can train
 *    the teacher first); a `teacher_config` given explicitly is resolved to its file the same way. Names are searched under the nearest `configs/` folder at or above the config file;
 *    relative paths are taken from the config file's folder.
 *
 * 2. The short form of MMDetection KD write-ups, with the teacher inside the student's model node and the KD
 *    loss at the top level:
 *
 *      model = { type: 'ATSS', ...student, teacher: {backbone: {depth: 101}}, teacher_ckpt: 'teacher.safetensors' }
 *      kd_loss = { type: 'DistillationLoss', temperature: 4 }
 *      kd_loss_weight = 0.5
 *
 *    means the general form
 *
 *      model = { type: 'SingleTeacherDistill', architecture: student, teacher: student ⊕ teacher, teacher_ckpt,
 *        distiller: { type: 'ConfigurableDistiller',
 *          student_recorders: { bbox_head: { type: 'ModuleOutputs', source: 'bbox_head' } },
 *          teacher_recorders: { bbox_head: { type: 'ModuleOutputs', source: 'bbox_head' } },
 *          distill_losses: { loss_kd: { ...kd_loss, loss_weight: kd_loss.loss_weight × kd_loss_weight } },
 *          loss_forward_mappings: { loss_kd: {
 *            preds_S: { recorder: 'bbox_head', from_student: true, data_idx: 0 },     // cls_scores, every level
 *            preds_T: { recorder: 'bbox_head', from_student: false, data_idx: 0 } } } } }
 *
 *    i.e. the KD loss on the classification logits of every anchor (teacher and student anchors match one to
 *    one: the config check below makes sure). A teacher node inherits every key it does not set from the
 *    student's model node (MMEngine merge rules; `_delete_: true` gives a fully separate one); a teacher named by
 *    config is complete as it is. Without `kd_loss`, the loss is `DistillationLoss` (T = 4); without
 *    `kd_loss_weight`, the weight is 1. Validation errors name the keys as written (`model.backbone.depth`,
 *    `kd_loss.temperature`).
 *
 * @example
 * const { config } = normalizeConfig(shortFormConfig); // config.model.type === 'SingleTeacherDistill'
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { Config, ConfigError, findConfig, isPlainObject, mergeConfig, registerConfigForm, type NormalizedConfig } from '@detlab/core';

/** The algorithm type the short form becomes. */
const ALGORITHM = 'SingleTeacherDistill';
/** The keys of the short form inside the student's model node. */
const TEACHER_KEYS = ['teacher', 'teacher_ckpt', 'teacher_config'] as const;
/** The name of the KD loss in the general form (logged as `distill.loss_kd`). */
export const SHORT_FORM_LOSS = 'loss_kd';

registerConfigForm({ name: 'distillation teacher by config name', resolve: resolveTeacherConfig });
registerConfigForm({ name: 'short KD form', normalize: normalizeShortForm });

/** Replaces `model.teacher: '<config name or path>'` by that config's `model`; see the file comment. */
export async function resolveTeacherConfig(data: Record<string, unknown>, { filename }: { filename: string }): Promise<void> {
  const model = data.model;
  if (!isPlainObject(model)) return;
  if (typeof model.teacher_config === 'string') model.teacher_config = findTeacherConfig(model.teacher_config, filename, 'model.teacher_config');
  if (typeof model.teacher !== 'string') return;
  const file = findTeacherConfig(model.teacher, filename);
  const teacher = await Config.fromFile(file);
  if (!isPlainObject(teacher.data.model)) {
    throw new ConfigError(`model.teacher: the teacher config ${file} has no model section`, { file: filename, configPath: 'model.teacher' });
  }
  model.teacher = teacher.data.model;
  model.teacher_config ??= file;
}

/** The file of a teacher named `name` from the config `from`. */
export function findTeacherConfig(name: string, from: string, configPath = 'model.teacher'): string {
  const here = dirname(from);
  const asPath = isAbsolute(name) ? name : resolve(here, name);
  if (existsSync(asPath) && statSync(asPath).isFile()) return asPath;
  try {
    return findConfig(name, { roots: [configsRootOf(here)] });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(`${configPath}: ${error.message}`, { file: from, configPath, hint: error.hint, cause: error });
  }
}

/** The nearest folder named `configs` at or above `dir`, else `dir` itself. */
function configsRootOf(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (d.endsWith('/configs') || d === 'configs') return d;
    if (existsSync(join(d, 'configs'))) return join(d, 'configs');
    if (dirname(d) === d) return dir;
  }
}

/** Whether `config` is in the short form: a model node with a `teacher` that is not an algorithm itself. */
export function isShortForm(config: Record<string, unknown>): boolean {
  const model = config.model;
  return isPlainObject(model) && 'teacher' in model && model.type !== ALGORITHM && !('architecture' in model);
}

/** The general form of a short-form config (see the file comment); undefined for any other config. */
export function normalizeShortForm(config: Record<string, unknown>): NormalizedConfig | undefined {
  if (!isShortForm(config)) return undefined;
  const { kd_loss: kdLoss, kd_loss_weight: kdWeight, ...rest } = config;
  const written = config.model as Record<string, unknown>;
  const student = Object.fromEntries(Object.entries(written).filter(([key]) => !(TEACHER_KEYS as readonly string[]).includes(key)));
  const teacher = isPlainObject(written.teacher) ? mergeConfig(student, written.teacher) : written.teacher;
  const kd = isPlainObject(kdLoss) ? kdLoss : { type: 'DistillationLoss' };
  const weight = typeof kdWeight === 'number' ? kdWeight : 1;
  const ownWeight = typeof kd.loss_weight === 'number' ? kd.loss_weight : 1;
  const loss: Record<string, unknown> = { ...kd, loss_weight: ownWeight * weight };
  // Rows of C classes: a head with A anchors per location lays out A blocks of C logits on the last axis.
  const head = student.bbox_head;
  if (kd.type === 'DistillationLoss' && kd.num_classes === undefined && isPlainObject(head) && typeof head.num_classes === 'number') {
    loss.num_classes = head.num_classes;
  }
  const headRecorder = { type: 'ModuleOutputs', source: 'bbox_head' };
  const model: Record<string, unknown> = {
    type: ALGORITHM,
    architecture: student,
    teacher,
    teacher_ckpt: written.teacher_ckpt ?? null,
    distiller: {
      type: 'ConfigurableDistiller',
      student_recorders: { bbox_head: headRecorder },
      teacher_recorders: { bbox_head: headRecorder },
      distill_losses: { [SHORT_FORM_LOSS]: loss },
      loss_forward_mappings: {
        [SHORT_FORM_LOSS]: {
          preds_S: { recorder: 'bbox_head', from_student: true, data_idx: 0 },
          preds_T: { recorder: 'bbox_head', from_student: false, data_idx: 0 },
        },
      },
    },
  };
  if (written.teacher_config !== undefined) model.teacher_config = written.teacher_config;
  return { config: { ...rest, model }, pathBack: shortFormPath };
}

/** A general-form config path as the short form writes it. */
function shortFormPath(path: string): string {
  const kdLoss = `model.distiller.distill_losses.${SHORT_FORM_LOSS}`;
  if (path === `${kdLoss}.loss_weight`) return 'kd_loss_weight';
  if (path === kdLoss || path.startsWith(`${kdLoss}.`)) return `kd_loss${path.slice(kdLoss.length)}`;
  if (path === 'model.architecture' || path.startsWith('model.architecture.')) return `model${path.slice('model.architecture'.length)}`;
  return path;
}
