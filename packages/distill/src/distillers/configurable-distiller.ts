/**
 * `ConfigurableDistiller`: distillation wired by config alone, after MMRazor's
 * (`mmrazor/models/distillers/configurable_distiller.py`, reference mmdet-semantics §5.2).
 *
 * - `student_recorders` / `teacher_recorders`: name → recorder (TASK_UTILS; `ModuleOutputs` builds
 *   `ModuleOutputsRecorder`, as MMRazor appends `Recorder`), attached to the student and to the teacher.
 * - `distill_losses`: name → loss (MODELS). Only names containing `loss` are summed into the total that is
 *   minimised, so any other name is a config error here (MMRazor only warns, and the loss silently does nothing).
 * - `connectors`: name → a module (or a list, chained) applied to a recorded value before its loss; trained
 *   with the student (e.g. `SingleConvConnector` when channel counts differ).
 * - `loss_forward_mappings`: loss name → forward argument → `{recorder, from_student, record_idx = 0,
 *   data_idx = null, connector = null, connector_idx = null}`. The argument names are the loss class's
 *   `forwardArgs` (`preds_S`, `preds_T` for the KD losses).
 *
 * Every mapping is checked when the distiller is built (loss, argument, recorder and connector names), each
 * mistake a `ConfigError` naming its config path. MMRazor's `distill_deliveries` are not supported.
 *
 * @example
 * distiller: { type: 'ConfigurableDistiller',
 *   student_recorders: { cls: { type: 'ModuleOutputs', source: 'bbox_head' } },
 *   teacher_recorders: { cls: { type: 'ModuleOutputs', source: 'bbox_head' } },
 *   distill_losses: { loss_kd: { type: 'DistillationLoss', temperature: 4, loss_weight: 0.5 } },
 *   loss_forward_mappings: { loss_kd: {
 *     preds_S: { recorder: 'cls', from_student: true, data_idx: 0 },
 *     preds_T: { recorder: 'cls', from_student: false, data_idx: 0 } } } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, MODELS, TASK_UTILS, ref } from '@detlab/core';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { type Recorder } from '../recorders/recorders.js';

/** Where one argument of a distillation loss comes from. */
export const lossArgumentSchema = z.strictObject({
  /** A recorder name of `student_recorders` (with `from_student`) or of `teacher_recorders`. */
  recorder: z.string(),
  from_student: z.boolean(),
  /** Which recorded call (0: the first). */
  record_idx: z.int().nonnegative().default(0),
  /** Which part of the output: an array index, an object key, or a position among the object's values. */
  data_idx: z.union([z.int().nonnegative(), z.string()]).nullable().default(null),
  /** A connector name of `connectors`, applied to the value. */
  connector: z.string().nullable().default(null),
  /** Which part of the connector's output (when it returns several). */
  connector_idx: z.int().nonnegative().nullable().default(null),
});

/** Options of `ConfigurableDistiller`, validated (MMRazor's keys). */
export const configurableDistillerSchema = z
  .strictObject({
    student_recorders: z.record(z.string(), ref(TASK_UTILS)).default({}),
    teacher_recorders: z.record(z.string(), ref(TASK_UTILS)).default({}),
    distill_losses: z.record(z.string(), ref(MODELS)).default({}),
    connectors: z.record(z.string(), z.union([ref(MODELS), z.array(ref(MODELS))])).default({}),
    loss_forward_mappings: z.record(z.string(), z.record(z.string(), lossArgumentSchema)).default({}),
  })
  .superRefine((o, ctx) => {
    for (const name of Object.keys(o.distill_losses)) {
      if (!name.includes('loss')) {
        ctx.addIssue({
          code: 'custom',
          path: ['distill_losses', name],
          message: `'${name}' does not contain 'loss', so it would not be added to the total loss; rename it (e.g. 'loss_${name}')`,
        });
      }
    }
    for (const [lossName, args] of Object.entries(o.loss_forward_mappings)) {
      if (!(lossName in o.distill_losses)) {
        ctx.addIssue({
          code: 'custom',
          path: ['loss_forward_mappings', lossName],
          message: `'${lossName}' is not in distill_losses (${Object.keys(o.distill_losses).join(', ') || 'none'}); the keys of loss_forward_mappings must match those of distill_losses`,
        });
        continue;
      }
      for (const [arg, item] of Object.entries(args)) {
        const recorders = item.from_student ? o.student_recorders : o.teacher_recorders;
        if (!(item.recorder in recorders)) {
          const side = item.from_student ? 'student_recorders' : 'teacher_recorders';
          ctx.addIssue({
            code: 'custom',
            path: ['loss_forward_mappings', lossName, arg, 'recorder'],
            message: `'${item.recorder}' is not in ${side} (${Object.keys(recorders).join(', ') || 'none'})`,
          });
        }
        if (item.connector !== null && !(item.connector in o.connectors)) {
          ctx.addIssue({
            code: 'custom',
            path: ['loss_forward_mappings', lossName, arg, 'connector'],
            message: `'${item.connector}' is not in connectors (${Object.keys(o.connectors).join(', ') || 'none'})`,
          });
        }
      }
    }
  });

/** Options of `ConfigurableDistiller`, keys as in configs. */
export type ConfigurableDistillerOptions = z.input<typeof configurableDistillerSchema>;

type LossArgument = z.output<typeof lossArgumentSchema>;
/** A distillation loss: a module whose `forward` takes the mapped tensors in `forwardArgs` order. */
type DistillLoss = Module & { forward(...args: unknown[]): tf.Tensor };
type Connector = Module & { forward(x: unknown): unknown };

/** Children by name (the losses, the connectors), so their weights get dotted names in checkpoints. */
class NamedModules extends Module {
  add<M extends Module>(name: string, module: M): M {
    return this.registerModule(name, module);
  }
}

/**
 * Recorders, connectors and losses of one distillation; see the file comment. The algorithm
 * (`SingleTeacherDistill`) attaches it, records a teacher and a student pass, then asks for the losses.
 *
 * @example
 * distiller.prepareFrom(student, teacher);
 * distiller.recordTeacher(() => teacher.forwardTensor(batch)); distiller.recordStudent(() => student.loss(batch));
 * const losses = distiller.computeDistillLosses(); // { loss_kd: scalar }
 * distiller.resetRecords();
 */
@MODELS.register({ name: 'ConfigurableDistiller', schema: configurableDistillerSchema, description: 'Distillation wired by recorders, connectors and loss mappings (MMRazor).' })
export class ConfigurableDistiller extends Module {
  readonly options: z.output<typeof configurableDistillerSchema>;
  readonly studentRecorders: ReadonlyMap<string, Recorder>;
  readonly teacherRecorders: ReadonlyMap<string, Recorder>;
  readonly distillLosses: ReadonlyMap<string, DistillLoss>;
  readonly connectors: ReadonlyMap<string, Connector[]>;

  constructor(options: ConfigurableDistillerOptions = {}, { path = 'model.distiller' }: { path?: string } = {}) {
    super();
    const o = (this.options = configurableDistillerSchema.parse(options));
    const buildRecorders = (cfgs: Record<string, unknown>, key: string) =>
      new Map(Object.entries(cfgs).map(([name, cfg]) => [name, TASK_UTILS.build<Recorder>(cfg, { path: `${path}.${key}.${name}` })]));
    this.studentRecorders = buildRecorders(o.student_recorders, 'student_recorders');
    this.teacherRecorders = buildRecorders(o.teacher_recorders, 'teacher_recorders');
    const losses = this.registerModule('distill_losses', new NamedModules());
    this.distillLosses = new Map(
      Object.entries(o.distill_losses).map(([name, cfg]) => [name, losses.add(name, MODELS.build<DistillLoss>(cfg, { path: `${path}.distill_losses.${name}` }))]),
    );
    const connectors = this.registerModule('connectors', new NamedModules());
    this.connectors = new Map(
      Object.entries(o.connectors).map(([name, cfg]) => {
        const chain = (Array.isArray(cfg) ? cfg : [cfg]).map((c, i) => MODELS.build<Connector>(c, { path: `${path}.connectors.${name}${Array.isArray(cfg) ? `.${i}` : ''}` }));
        const holder = connectors.add(name, new NamedModules());
        chain.forEach((c, i) => holder.add(String(i), c));
        return [name, chain];
      }),
    );
    this.checkForwardArguments(path);
  }

  /** Attaches the student recorders to `student` and the teacher recorders to `teacher`. */
  prepareFrom(student: Module, teacher: Module): void {
    for (const recorder of this.studentRecorders.values()) recorder.attach(student);
    for (const recorder of this.teacherRecorders.values()) recorder.attach(teacher);
  }

  /** Runs `fn` (a teacher pass) with the teacher recorders on. */
  recordTeacher<T>(fn: () => T): T {
    return recording(this.teacherRecorders, fn);
  }

  /** Runs `fn` (a student pass) with the student recorders on. */
  recordStudent<T>(fn: () => T): T {
    return recording(this.studentRecorders, fn);
  }

  /** Each distillation loss on its mapped records: name → scalar (the caller owns the scalars). */
  computeDistillLosses(): Record<string, tf.Scalar> {
    const losses: Record<string, tf.Scalar> = {};
    for (const [name, loss] of this.distillLosses) {
      const mapping = this.options.loss_forward_mappings[name] ?? {};
      const order = forwardArgsOf(loss);
      losses[name] = tf.tidy(() => {
        const args = order.map((arg) => this.argument(mapping[arg]!));
        return loss.forward(...args) as tf.Scalar;
      });
    }
    return losses;
  }

  /** Frees every record (call after each step). */
  resetRecords(): void {
    for (const recorder of [...this.studentRecorders.values(), ...this.teacherRecorders.values()]) recorder.reset();
  }

  /** Detaches the recorders and frees the distiller's weights. */
  override dispose(): void {
    for (const recorder of [...this.studentRecorders.values(), ...this.teacherRecorders.values()]) recorder.detach();
    super.dispose();
  }

  private argument(item: LossArgument): unknown {
    const recorders = item.from_student ? this.studentRecorders : this.teacherRecorders;
    let value = recorders.get(item.recorder)!.getRecord(item.record_idx, item.data_idx);
    if (item.connector !== null) {
      for (const connector of this.connectors.get(item.connector)!) value = connector.forward(value);
      if (item.connector_idx !== null) value = (value as unknown[])[item.connector_idx];
    }
    return value;
  }

  /** Every loss gets exactly its forward arguments mapped (MMRazor asserts the same at build time). */
  private checkForwardArguments(path: string): void {
    for (const [name, loss] of this.distillLosses) {
      const expected = forwardArgsOf(loss);
      const mapping = this.options.loss_forward_mappings[name];
      const at = `${path}.loss_forward_mappings.${name}`;
      if (!mapping) {
        throw new ConfigError(`${at}: missing; ${loss.constructor.name} needs its arguments ${expected.join(', ')} mapped to recorders`, {
          configPath: at,
          hint: `Add loss_forward_mappings.${name}: { ${expected.map((a) => `${a}: { recorder: ..., from_student: ... }`).join(', ')} }.`,
        });
      }
      const unknown = Object.keys(mapping).filter((arg) => !expected.includes(arg));
      const missing = expected.filter((arg) => !(arg in mapping));
      if (unknown.length || missing.length) {
        const parts = [unknown.length ? `${unknown.join(', ')} not in the signature` : '', missing.length ? `${missing.join(', ')} not mapped` : ''].filter(Boolean);
        throw new ConfigError(`${at}: ${parts.join('; ')} of ${loss.constructor.name}.forward(${expected.join(', ')})`, { configPath: at });
      }
    }
  }
}

/** The names of a loss's forward arguments: its class's `forwardArgs`, MMRazor's `preds_S, preds_T` otherwise. */
function forwardArgsOf(loss: Module): readonly string[] {
  const declared = (loss.constructor as { forwardArgs?: readonly string[] }).forwardArgs;
  return declared ?? ['preds_S', 'preds_T'];
}

function recording<T>(recorders: ReadonlyMap<string, Recorder>, fn: () => T): T {
  for (const recorder of recorders.values()) recorder.recording = true;
  try {
    return fn();
  } finally {
    for (const recorder of recorders.values()) recorder.recording = false;
  }
}
