import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ConfigValidationError, MODELS } from '@detlab/core';
import { Module, initBackend } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import '../index.js';
import { ModuleOutputsRecorder, MethodOutputsRecorder } from '../recorders/recorders.js';
import { ConfigurableDistiller, type ConfigurableDistillerOptions } from './configurable-distiller.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** y = x·w, with a `head` child whose forward returns two outputs and an object. */
class Head extends Module {
  forward(x: tf.Tensor): { logits: tf.Tensor; doubled: tf.Tensor } {
    return tf.tidy(() => ({ logits: x, doubled: x.mul(2) }));
  }
}
class Toy extends Module {
  readonly head = this.registerModule('head', new Head());
  run(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.head.forward(x).logits.sum());
  }
}

const kd: ConfigurableDistillerOptions = {
  student_recorders: { head: { type: 'ModuleOutputs', source: 'head' } },
  teacher_recorders: { head: { type: 'ModuleOutputs', source: 'head' } },
  distill_losses: { loss_kd: { type: 'DistillationLoss', temperature: 1 } },
  loss_forward_mappings: {
    loss_kd: {
      preds_S: { recorder: 'head', from_student: true, data_idx: 'logits' },
      preds_T: { recorder: 'head', from_student: false, data_idx: 0 },
    },
  },
};

function build(options: ConfigurableDistillerOptions): ConfigurableDistiller {
  return MODELS.build<ConfigurableDistiller>({ type: 'ConfigurableDistiller', ...options }, { path: 'model.distiller' });
}

describe('ConfigurableDistiller', () => {
  it('records a pass of each model and computes the mapped loss (hand-computed KL), freeing every record', () => {
    const distiller = build(kd);
    const student = new Toy();
    const teacher = new Toy();
    distiller.prepareFrom(student, teacher);
    const before = tf.memory().numTensors;
    const s = tf.tensor2d([[0, 0]]);
    const t = tf.tensor2d([[2, 0]]);
    tf.dispose(distiller.recordTeacher(() => teacher.run(t)));
    tf.dispose(distiller.recordStudent(() => student.run(s)));
    student.run(s).dispose(); // not recording: no third record
    const { loss_kd: loss } = distiller.computeDistillLosses();
    // KL([0.880797, 0.119203] ‖ [0.5, 0.5]) = 0.327813 (see distillation-loss.test.ts)
    expect(loss!.dataSync()[0]).toBeCloseTo(0.327813, 5);
    loss!.dispose();
    distiller.resetRecords();
    tf.dispose([s, t]);
    expect(tf.memory().numTensors).toBe(before - 0);
    distiller.dispose();
    // Detached: the instance method is the class's again.
    expect(Object.hasOwn(student.head, 'forward')).toBe(false);
  });

  it('rejects loss names without "loss", unknown recorders and connectors, naming the config path', () => {
    const noLoss = () => build({ ...kd, distill_losses: { kd: { type: 'DistillationLoss' } }, loss_forward_mappings: {} });
    expect(noLoss).toThrow(ConfigValidationError);
    expect(noLoss).toThrow(/model\.distiller\.distill_losses\.kd: 'kd' does not contain 'loss'/);
    const badRecorder = () =>
      build({ ...kd, loss_forward_mappings: { loss_kd: { ...kd.loss_forward_mappings!.loss_kd, preds_T: { recorder: 'neck', from_student: false } } } });
    expect(badRecorder).toThrow(/loss_forward_mappings\.loss_kd\.preds_T\.recorder: 'neck' is not in teacher_recorders \(head\)/);
    const badConnector = () =>
      build({ ...kd, loss_forward_mappings: { loss_kd: { ...kd.loss_forward_mappings!.loss_kd, preds_S: { recorder: 'head', from_student: true, connector: 'c' } } } });
    expect(badConnector).toThrow(/preds_S\.connector: 'c' is not in connectors \(none\)/);
  });

  it('rejects arguments outside the loss signature and unmapped ones', () => {
    const wrongArg = () => build({ ...kd, loss_forward_mappings: { loss_kd: { student: { recorder: 'head', from_student: true }, preds_T: { recorder: 'head', from_student: false } } } });
    expect(wrongArg).toThrow(ConfigError);
    expect(wrongArg).toThrow('model.distiller.loss_forward_mappings.loss_kd: student not in the signature; preds_S not mapped of DistillationLoss.forward(preds_S, preds_T)');
    const unmapped = () => build({ ...kd, loss_forward_mappings: {} });
    expect(unmapped).toThrow(/loss_forward_mappings\.loss_kd: missing; DistillationLoss needs its arguments preds_S, preds_T mapped/);
  });

  it('applies a connector before the loss and trains it (its weights are the distiller\'s)', () => {
    const distiller = build({
      student_recorders: { f: { type: 'ModuleOutputs', source: 'head' } },
      teacher_recorders: { f: { type: 'ModuleOutputs', source: 'head' } },
      connectors: { c: { type: 'SingleConvConnector', in_channel: 2, out_channel: 3 } },
      distill_losses: { loss_mse: { type: 'MSELoss' } },
      loss_forward_mappings: {
        loss_mse: { pred: { recorder: 'f', from_student: true, data_idx: 0, connector: 'c' }, target: { recorder: 'f', from_student: false, data_idx: 0 } },
      },
    });
    expect(distiller.namedParameters().map(([n]) => n)).toEqual(['connectors.c.0.conv.conv.weight', 'connectors.c.0.conv.conv.bias']);
    const student = new Toy();
    const teacher = new Toy();
    distiller.prepareFrom(student, teacher);
    const s = tf.ones([1, 2, 2, 2]);
    const t = tf.ones([1, 2, 2, 3]);
    tf.dispose(distiller.recordTeacher(() => teacher.run(t)));
    const { value, grads } = tf.variableGrads(() => {
      tf.dispose(distiller.recordStudent(() => student.run(s)));
      return distiller.computeDistillLosses().loss_mse!;
    }, distiller.trainableVariables());
    expect(Object.keys(grads)).toHaveLength(2);
    tf.dispose([value, ...Object.values(grads), s, t]);
    distiller.dispose();
  });
});

describe('recorders', () => {
  it('name the closest submodules when the source is wrong, and the method when it is not one', () => {
    expect(() => new ModuleOutputsRecorder({ source: 'neck' }).attach(new Toy())).toThrow(/has no submodule 'neck'[\s\S]*top-level ones: head/);
    expect(() => new MethodOutputsRecorder({ source: 'head.missing' }).attach(new Toy())).toThrow(/Head\.missing, which is not a method/);
  });

  it('record a method by <module path>.<method> and say when a record is missing', () => {
    const recorder = new MethodOutputsRecorder({ source: 'head.forward' });
    const toy = new Toy();
    recorder.attach(toy);
    expect(() => recorder.getRecord(0)).toThrow(/no record 0 \(0 recorded calls\)/);
    recorder.recording = true;
    const x = tf.tensor1d([1, 2]);
    toy.run(x).dispose();
    expect([...(recorder.getRecord(0, 'doubled') as tf.Tensor).dataSync()]).toEqual([2, 4]);
    expect(() => recorder.getRecord(0, 'nope')).toThrow(/data_idx "nope" is not in its output \(an object with keys logits, doubled\)/);
    recorder.detach();
    x.dispose();
  });
});
