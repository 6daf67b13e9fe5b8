/**
 * `SingleTeacherDistill`: a student trained with a frozen teacher, after MMRazor's
 * (`mmrazor/models/algorithms/distill/configurable/single_teacher_distill.py`, reference mmdet-semantics §5.1).
 *
 * - `architecture` is the student, `teacher` the teacher, both built from MODELS by name; `teacher_ckpt` holds the
 *   teacher's weights, loaded strictly by `initWeights` (the runner calls it before training).
 * - The teacher is frozen (no trainable weights), always in eval mode (BN uses its running statistics), and its
 *   forward pass runs under `noGrad`: nothing is recorded for backpropagation.
 * - `loss(batch)`: the teacher's forward pass (mmdet's `_forward`: backbone, neck and head outputs, no loss, no
 *   assignment) with the teacher recorders on; the student's loss pass with the student recorders on; then the
 *   distiller's losses, prefixed `distill.`. The student's losses keep their names (`loss_cls`, `loss_bbox`, ...),
 *   so logs read as the plain detector's plus `distill.loss_kd`.
 * - The teacher is not a child module (as mmdet's `KnowledgeDistillationSingleStageDetector` keeps it outside
 *   module registration): the student's weights appear under their own names (`backbone.conv1.weight`), with no
 *   `architecture.` prefix, and the teacher's not at all. Checkpoints therefore hold the student alone and load
 *   into the plain detector config; only the distiller's trainable connectors, if any, add `distiller.*` keys.
 * - `predict` and `forwardTensor` are the student's: validation and test evaluate the student.
 *
 * Departures from MMRazor: the teacher runs in tensor mode instead of loss mode (its losses are never used when
 * it is frozen, and assignment costs time); a trainable teacher is not supported; teacher checkpoints are
 * loaded strictly.
 *
 * @example
 * model: { type: 'SingleTeacherDistill',
 *   architecture: { type: 'ATSS', ... }, teacher: 'atss_teacher', teacher_ckpt: 'work_dirs/atss_teacher/teacher.safetensors',
 *   distiller: { type: 'ConfigurableDistiller', ... } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, MODELS, ref } from '@detlab/core';
import { Module, initWeights, joinName, noGrad, type LoadStateDictReport, type PretrainedReport } from '@detlab/tensor';
import { z } from 'zod';
import { ConfigurableDistiller } from '../distillers/configurable-distiller.js';
import { loadTeacherWeights } from './teacher-weights.js';

/** Options of `SingleTeacherDistill`, validated (MMRazor's keys and defaults). */
export const singleTeacherDistillSchema = z.strictObject({
  /** The student: any MODELS detector with `loss`, `predict` and `forwardTensor`. */
  architecture: ref(MODELS),
  /**
   * The teacher: a model config node, or a config name/path whose `model` is the teacher (replaced by that node
   * when the config file is loaded; the name is kept in `teacher_config`).
   */
  teacher: z.union([
    ref(MODELS),
    z.string().transform((name, ctx) => {
      ctx.addIssue({ code: 'custom', message: `'${name}' is a config name; it is loaded when the config is read with Config.fromFile (trainer commands do)` });
      return z.NEVER;
    }),
  ]),
  /** The teacher's weights: a run checkpoint or a weights file. */
  teacher_ckpt: z.string().nullable().default(null),
  /** The config the teacher comes from (set when `teacher` names one); `trainer:train` trains it when `teacher_ckpt` is missing. */
  teacher_config: z.string().nullable().default(null),
  distiller: ref(MODELS),
  /** Only a frozen teacher is supported. */
  teacher_trainable: z.literal(false).default(false),
  /** Keep the teacher's norms in eval mode (always, since the teacher is frozen). */
  teacher_norm_eval: z.literal(true).default(true),
  /** Whether the student's weights train (false: only connectors train). */
  student_trainable: z.boolean().default(true),
  /** Whether the student's own detection losses join the distillation losses. */
  calculate_student_loss: z.boolean().default(true),
});

/** Options of `SingleTeacherDistill`, keys as in configs. */
export type SingleTeacherDistillOptions = z.input<typeof singleTeacherDistillSchema>;

/** What the algorithm needs of a student or a teacher (our detectors have all of it). */
export interface DistillableModel extends Module {
  loss(batch: unknown): Record<string, tf.Scalar>;
  predict(batch: unknown, options?: unknown): readonly unknown[] | Promise<readonly unknown[]>;
  forwardTensor(batch: unknown): tf.TensorContainer;
  initWeights?(): Promise<unknown>;
}

/** A student trained with a frozen teacher; see the file comment. */
@MODELS.register({ name: 'SingleTeacherDistill', schema: singleTeacherDistillSchema, description: 'Student + frozen teacher + distiller (MMRazor SingleTeacherDistill).' })
export class SingleTeacherDistill extends Module {
  readonly options: z.output<typeof singleTeacherDistillSchema>;
  readonly student: DistillableModel;
  readonly teacher: DistillableModel;
  readonly distiller: ConfigurableDistiller;
  /** What loading `teacher_ckpt` reported (set by `initWeights`). */
  teacherReport: LoadStateDictReport | undefined;

  constructor(options: SingleTeacherDistillOptions) {
    super();
    const o = (this.options = singleTeacherDistillSchema.parse(options));
    this.student = buildModel(o.architecture, 'model.architecture');
    this.teacher = buildModel(o.teacher, 'model.teacher');
    this.distiller = MODELS.build<ConfigurableDistiller>(o.distiller, { path: 'model.distiller' });
    if (!(this.distiller instanceof ConfigurableDistiller)) {
      throw new ConfigError(`model.distiller: expected a ConfigurableDistiller, got ${(this.distiller as object).constructor.name}`, { configPath: 'model.distiller.type' });
    }
    this.teacher.requiresGrad(false).eval();
    if (!o.student_trainable) this.student.requiresGrad(false);
    this.distiller.prepareFrom(this.student, this.teacher);
  }

  /** The student's modules under their own paths, then the distiller's (connectors); never the teacher's. */
  override namedModules(prefix = ''): Array<[string, Module]> {
    return [[prefix, this], ...this.student.namedModules(prefix), ...this.distiller.namedModules(joinName(prefix, 'distiller'))];
  }

  override namedChildren(): Array<[string, Module]> {
    return [...this.student.namedChildren(), ['distiller', this.distiller]];
  }

  /** Train mode for the student and the distiller; the teacher stays in eval mode. */
  override train(mode = true): this {
    this.training = mode;
    this.student.train(mode);
    this.distiller.train(mode);
    this.teacher.eval();
    return this;
  }

  /** Initialises the student (its `init_cfg`s) and the distiller, then loads the teacher from `teacher_ckpt`. */
  async initWeights(): Promise<PretrainedReport[]> {
    const reports = (await (this.student.initWeights?.() ?? initWeights(this.student))) as PretrainedReport[];
    reports.push(...(await initWeights(this.distiller)));
    const { teacher_ckpt: ckpt, teacher_config: teacherConfig } = this.options;
    if (ckpt === null) {
      throw new ConfigError('model.teacher_ckpt is not set: a frozen teacher needs trained weights', {
        configPath: 'model.teacher_ckpt',
        hint: 'Set model.teacher_ckpt to the teacher\'s checkpoint (a run checkpoint or a weights file).',
      });
    }
    this.teacherReport = await loadTeacherWeights(this.teacher, ckpt, { teacherConfig });
    return reports;
  }

  /** Student losses plus `distill.<name>` losses for a training batch; see the file comment. */
  loss(batch: unknown): Record<string, tf.Scalar> {
    const d = this.distiller;
    let teacherOutputs: tf.TensorContainer | undefined;
    let studentOutputs: tf.TensorContainer | undefined;
    try {
      teacherOutputs = d.recordTeacher(() => noGrad(() => this.teacher.forwardTensor(batch)));
      let losses: Record<string, tf.Scalar> = {};
      if (this.options.calculate_student_loss) losses = d.recordStudent(() => this.student.loss(batch));
      else studentOutputs = d.recordStudent(() => this.student.forwardTensor(batch));
      for (const [name, value] of Object.entries(d.computeDistillLosses())) losses[`distill.${name}`] = value;
      return losses;
    } finally {
      // Recorded outputs are the teacher's (and student's) output tensors: free them once, after the losses.
      d.resetRecords();
      tf.dispose([teacherOutputs ?? [], studentOutputs ?? []]);
    }
  }

  /** The student's detections. */
  predict(batch: unknown, options?: unknown): readonly unknown[] | Promise<readonly unknown[]> {
    return this.student.predict(batch, options);
  }

  /** The student's raw head outputs. */
  forwardTensor(batch: unknown): tf.TensorContainer {
    return this.student.forwardTensor(batch);
  }

  override dispose(): void {
    this.distiller.dispose();
    this.student.dispose();
    this.teacher.dispose();
    super.dispose();
  }
}

function buildModel(cfg: unknown, path: string): DistillableModel {
  const model = MODELS.build<DistillableModel>(cfg, { path });
  const missing = ['loss', 'predict', 'forwardTensor'].filter((m) => typeof (model as unknown as Record<string, unknown>)[m] !== 'function');
  if (!(model instanceof Module) || missing.length > 0) {
    throw new ConfigError(`${path}: ${(model as object).constructor.name} cannot take part in distillation: it has no ${missing.join(', ')} method`, {
      configPath: `${path}.type`,
      hint: 'Use a detector (a Module with loss, predict and forwardTensor), e.g. ATSS.',
    });
  }
  return model;
}
