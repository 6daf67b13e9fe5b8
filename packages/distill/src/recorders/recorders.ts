/**
 * Recorders: what a distiller reads from the student and the teacher while they run, after MMRazor's
 * (`mmrazor/models/task_modules/recorder`). A recorder names a `source` in a model and keeps what it returns
 * each time it is called while recording is on:
 * - `ModuleOutputs` (`ModuleOutputsRecorder`): the outputs of a submodule's `forward`, `source` being its dotted
 *   path in the model (`neck`, `bbox_head`, `backbone.layer4`);
 * - `MethodOutputs` (`MethodOutputsRecorder`): the outputs of any method of a submodule, `source` being
 *   `<module path>.<method>` (`bbox_head.forward`, `bbox_head.getTargets`), or a method of the model itself.
 *
 * Recording wraps the method on that one instance (nothing else changes). Recorded tensors are kept alive past
 * the `tf.tidy` scopes of the forward pass (they are inputs of the distillation losses) until `reset()` frees
 * them, so a training step leaks nothing. The gradient tape is untouched: a student output recorded inside a
 * gradient function still carries gradient to the student's weights.
 *
 * Departures from MMRazor: sources are module paths, not Python import paths (`FunctionOutputs` and friends,
 * which patch module-level functions, have no counterpart); records are per call, `record_idx` picks the call.
 *
 * @example
 * student_recorders: { fpn: { type: 'ModuleOutputs', source: 'neck' }, cls: { type: 'MethodOutputs', source: 'bbox_head.forward' } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DetlabError, TASK_UTILS, describeValue, isPlainObject } from '@detlab/core';
import type { Module } from '@detlab/tensor';
import { z } from 'zod';

/** Options of every recorder: where in the model to record. */
export const recorderSchema = z.strictObject({
  /** The dotted path of a submodule (ModuleOutputs) or of a method (MethodOutputs). */
  source: z.string().min(1),
});

/** Options of a recorder, keys as in MMRazor configs. */
export type RecorderOptions = z.input<typeof recorderSchema>;

/** Where a recorder's `source` points in a model: the module and the name of the method to record. */
interface RecordTarget {
  module: Module;
  method: string;
}

/**
 * Base of the recorders: holds the records, wraps the target method while attached; see the file comment.
 *
 * @example
 * const rec = new ModuleOutputsRecorder({ source: 'neck' });
 * rec.attach(detector); rec.recording = true; detector.loss(batch); rec.recording = false;
 * rec.getRecord(0, 2); // the neck's third output of the first call
 * rec.reset();
 */
export abstract class Recorder {
  readonly source: string;
  /** Whether calls are recorded now; the distiller switches it around a forward pass. */
  recording = false;
  /** One entry per recorded call: what the method returned. */
  readonly records: unknown[] = [];
  private readonly kept: tf.Tensor[] = [];
  private detachFn: (() => void) | undefined;

  constructor(options: RecorderOptions) {
    this.source = recorderSchema.parse(options).source;
  }

  /** The module and method `source` names in `model`; a wrong path is a `ConfigError` listing what exists. */
  protected abstract target(model: Module): RecordTarget;

  /** Starts watching `model` (wraps the method on its instance); `detach` undoes it. */
  attach(model: Module): void {
    if (this.detachFn) throw new DetlabError(`${this.constructor.name} '${this.source}' is already attached`);
    const { module, method } = this.target(model);
    const host = module as unknown as Record<string, unknown>;
    const original = host[method];
    if (typeof original !== 'function') {
      throw new ConfigError(`${this.constructor.name}: '${this.source}' names ${module.constructor.name}.${method}, which is not a method`, {
        hint: 'Point source at a module (ModuleOutputs) or at <module path>.<method> (MethodOutputs).',
      });
    }
    const hadOwn = Object.hasOwn(host, method);
    const recorder = this;
    host[method] = function recorded(this: unknown, ...args: unknown[]) {
      const output = (original as (...a: unknown[]) => unknown).apply(this, args);
      if (recorder.recording) recorder.keep(output);
      return output;
    };
    this.detachFn = () => {
      if (hadOwn) host[method] = original;
      else delete host[method];
    };
  }

  /** Stops watching and frees the records. */
  detach(): void {
    this.reset();
    this.detachFn?.();
    this.detachFn = undefined;
  }

  /**
   * What call `recordIdx` returned, or its `dataIdx`-th part: an array element, or for an object of outputs
   * (a dense head's `{clsScores, bboxPreds, centernesses}`) the value under that key or at that position.
   */
  getRecord(recordIdx = 0, dataIdx: number | string | null = null): unknown {
    if (recordIdx >= this.records.length) {
      throw new DetlabError(
        `${this.constructor.name} '${this.source}': no record ${recordIdx} (${this.records.length} recorded calls); ` +
          'was the module called during this forward pass?',
      );
    }
    const record = this.records[recordIdx];
    if (dataIdx === null) return record;
    const parts = Array.isArray(record) ? record : isPlainObject(record) ? record : undefined;
    const value =
      parts === undefined
        ? undefined
        : typeof dataIdx === 'number' && !Array.isArray(parts)
          ? Object.values(parts)[dataIdx]
          : (parts as Record<string | number, unknown>)[dataIdx];
    if (value === undefined) {
      throw new DetlabError(`${this.constructor.name} '${this.source}': data_idx ${JSON.stringify(dataIdx)} is not in its output (${describeOutput(record)})`);
    }
    return value;
  }

  /** Frees every recorded tensor and forgets the records. */
  reset(): void {
    tf.dispose(this.kept.splice(0));
    this.records.length = 0;
  }

  private keep(output: unknown): void {
    const walk = (value: unknown): void => {
      if (value instanceof tf.Tensor) this.kept.push(tf.keep(value));
      else if (Array.isArray(value)) value.forEach(walk);
      else if (isPlainObject(value)) Object.values(value).forEach(walk);
    };
    walk(output);
    this.records.push(output);
  }
}

/** The outputs of a submodule's `forward`; `source` is its dotted path. */
@TASK_UTILS.register({ name: 'ModuleOutputsRecorder', aliases: ['ModuleOutputs'], schema: recorderSchema, description: "Records a submodule's forward outputs (MMRazor ModuleOutputsRecorder)." })
export class ModuleOutputsRecorder extends Recorder {
  protected target(model: Module): RecordTarget {
    return { module: findModule(model, this.source, this.constructor.name), method: 'forward' };
  }
}

/** The outputs of a method of a submodule (or of the model); `source` is `<module path>.<method>`. */
@TASK_UTILS.register({ name: 'MethodOutputsRecorder', aliases: ['MethodOutputs'], schema: recorderSchema, description: "Records a method's outputs (MMRazor MethodOutputsRecorder)." })
export class MethodOutputsRecorder extends Recorder {
  protected target(model: Module): RecordTarget {
    const cut = this.source.lastIndexOf('.');
    const path = cut < 0 ? '' : this.source.slice(0, cut);
    return { module: findModule(model, path, this.constructor.name), method: this.source.slice(cut + 1) };
  }
}

/** The submodule at dotted `path` ('' is the model); a `ConfigError` naming the closest paths otherwise. */
export function findModule(model: Module, path: string, who: string): Module {
  const modules = new Map(model.namedModules());
  const found = modules.get(path);
  if (found) return found;
  const top = [...modules.keys()].filter((p) => p && !p.includes('.'));
  throw new ConfigError(`${who}: the model (${model.constructor.name}) has no submodule '${path}'`, {
    hint: `Submodule paths are dotted, as in state dicts; top-level ones: ${top.join(', ')}.`,
  });
}

function describeOutput(record: unknown): string {
  if (Array.isArray(record)) return `an array of ${record.length}`;
  if (isPlainObject(record)) return `an object with keys ${Object.keys(record).join(', ')}`;
  return describeValue(record);
}
