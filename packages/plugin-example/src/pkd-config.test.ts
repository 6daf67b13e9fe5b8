/**
 * The shipped PKD config (`configs/atss_mnv2_pkd_mnistdet.yaml`) on @detlab/distill's general algorithm:
 * SingleTeacherDistill + ConfigurableDistiller, `ModuleOutputs` recorders on both necks, `example.PKDLoss` fed the
 * five FPN levels of each. The teacher checkpoint is the teacher with its initial weights, saved here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { Config, MODELS, normalizeConfig, validateConfig } from '@detlab/core';
// What the config's custom_imports load in a run: SingleTeacherDistill and the recorders, and this plugin (from
// its sources here: importing the package by name would load dist/, a second copy registering the same scope).
import '@detlab/distill';
import '@detlab/models';
import { initBackend, saveModule, type DetBatch, type Module } from '@detlab/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import './index.js';
import { PKDLoss } from './losses/pkd-loss.js';

/** What this test needs of `SingleTeacherDistill` (the plugin does not depend on @detlab/distill's types). */
interface Distill extends Module {
  student: Module & { backbone: Module };
  teacher: Module;
  distiller: Module & { distillLosses: Map<string, Module> };
  initWeights(): Promise<unknown>;
  loss(batch: DetBatch): Record<string, tf.Scalar>;
}

const configFile = join(dirname(fileURLToPath(import.meta.url)), '../configs/atss_mnv2_pkd_mnistdet.yaml');
const dir = mkdtempSync(join(tmpdir(), 'detlab-pkd-'));
const teacherCkpt = join(dir, 'teacher.safetensors');

/** Two 64 px images with one box each. */
function batch(): DetBatch {
  const size = 64;
  const inputs = [0, 1].map((i) => ({ data: Uint8Array.from({ length: size * size * 3 }, (_, p) => (p * 7 + i * 13) % 255), shape: [size, size, 3] as [number, number, 3] }));
  return {
    inputs,
    data_samples: [0, 1].map((i) => ({
      gt_instances: { bboxes: Float32Array.from([8 + i, 10, 40, 44 - i]), labels: Int32Array.from([i]) },
      metainfo: { img_id: i, ori_shape: [size, size] as [number, number], img_shape: [size, size] as [number, number], scale_factor: [1, 1] as [number, number] },
    })),
  };
}

async function load(cfgOptions: string[] = []): Promise<Config> {
  return Config.fromFile(configFile, { cfgOptions: [`model.teacher_ckpt=${teacherCkpt}`, ...cfgOptions] });
}

function build(config: Config): Distill {
  return MODELS.build<Distill>(normalizeConfig(config.data).config.model, { path: 'model' });
}

beforeAll(async () => {
  await initBackend('wasm');
  const config = await load();
  expect(config.data.custom_imports).toEqual({ imports: ['@detlab/distill', '@detlab/plugin-example'] });
  const teacher = MODELS.build<Module & { initWeights(): Promise<unknown> }>((config.data.model as { teacher: unknown }).teacher, { path: 'model.teacher' });
  await teacher.initWeights();
  await saveModule(teacherCkpt, teacher);
  teacher.dispose();
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('configs/atss_mnv2_pkd_mnistdet.yaml', () => {
  it('validates, with teacher_ckpt at the documented default unless overridden', async () => {
    const defaults = await Config.fromFile(configFile);
    expect((defaults.data.model as { teacher_ckpt: string }).teacher_ckpt).toBe('work_dirs/atss_r18_mnistdet_teacher.safetensors');
    const config = await load();
    const model = { model: config.data.model };
    expect(validateConfig(model)).toEqual([]);
    expect((config.data.model as { teacher_ckpt: string }).teacher_ckpt).toBe(teacherCkpt);
  });

  it('builds a SingleTeacherDistill: MobileNetV2 student under plain names, frozen ResNet teacher, PKD on the necks', async () => {
    const model = build(await load());
    try {
      expect(model.constructor.name).toBe('SingleTeacherDistill');
      expect(model.distiller.distillLosses.get('loss_pkd')).toBeInstanceOf(PKDLoss);
      const names = model.namedParameters().map(([n]) => n);
      expect(names).toContain('backbone.layer1.0.depthwise_conv.conv.weight');
      expect(names.some((n) => n.startsWith('teacher.') || n.startsWith('architecture.'))).toBe(false);
      expect(model.teacher.namedParameters().map(([n]) => n)).toContain('backbone.layer1.0.conv1.weight');
      await model.initWeights();
      model.train();
      expect(model.teacher.training).toBe(false);
      expect(model.teacher.trainableVariables()).toEqual([]);
    } finally {
      model.dispose();
    }
  }, 60_000);

  it('logs distill.loss_pkd from the recorded FPN lists, with gradient to the student backbone', async () => {
    const model = build(await load());
    try {
      await model.initWeights();
      model.train();
      const backboneWeight = model.student.backbone.namedParameters()[0]![1].variable;
      let pkd = 0;
      const { value, grads } = tf.variableGrads(() => {
        const losses = model.loss(batch());
        expect(Object.keys(losses).sort()).toEqual(['distill.loss_pkd', 'loss_bbox', 'loss_centerness', 'loss_cls']);
        pkd = losses['distill.loss_pkd']!.dataSync()[0]!;
        return tf.addN(Object.values(losses)) as tf.Scalar;
      }, model.trainableVariables());
      expect(pkd).toBeGreaterThan(0);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      expect(tf.tidy(() => tf.sum(tf.abs(grads[backboneWeight.name]!)).dataSync()[0])).toBeGreaterThan(0);
      tf.dispose([value, ...Object.values(grads)]);
    } finally {
      model.dispose();
    }
  }, 60_000);

  it('names PKDLoss.forward(preds_S, preds_T) when a mapping uses other argument names', async () => {
    const config = await load();
    const mapping = (config.data.model as { distiller: { loss_forward_mappings: { loss_pkd: Record<string, unknown> } } }).distiller.loss_forward_mappings.loss_pkd;
    mapping.student = mapping.preds_S;
    delete mapping.preds_S;
    expect(() => build(config)).toThrow('student not in the signature; preds_S not mapped of PKDLoss.forward(preds_S, preds_T)');
  }, 60_000);
});
