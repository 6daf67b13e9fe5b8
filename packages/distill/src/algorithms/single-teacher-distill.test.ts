/**
 * SingleTeacherDistill on the real MNIST-Det configs (`configs/distill/atss_kd.ts`, its general form
 * `atss_kd_general.ts`, the plain `atss_student.ts`), on small synthetic batches: both config forms, the teacher's
 * isolation (frozen, eval, no gradient, not in checkpoints), the KD loss against an independent computation, and
 * memory.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Config, MODELS, normalizeConfig, validateConfig } from '@detlab/core';
import '@detlab/models';
import { initBackend, loadModule, saveModule, type DetBatch, type Module } from '@detlab/tensor';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import '../index.js';
import { SingleTeacherDistill, type DistillableModel } from './single-teacher-distill.js';

const configs = join(dirname(fileURLToPath(import.meta.url)), '../../../../configs/distill');
const dir = mkdtempSync(join(tmpdir(), 'detlab-kd-'));
const teacherCkpt = join(dir, 'teacher.safetensors');

/** Two 64×64 BGR images with a few bright rectangles labelled 0–9. */
function batch(): DetBatch {
  const size = 64;
  const scenes = [
    [{ box: [4, 6, 24, 30], label: 3 }, { box: [34, 30, 58, 60], label: 7 }],
    [{ box: [10, 10, 40, 44], label: 1 }],
  ];
  return {
    inputs: scenes.map((rects, i) => {
      const data = new Uint8Array(size * size * 3).map((_, p) => 20 + ((p * 7 + i) % 13));
      for (const { box: [x1, y1, x2, y2], label } of rects) {
        for (let y = y1!; y < y2!; y += 1) for (let x = x1!; x < x2!; x += 1) data.fill(120 + 12 * label, 3 * (y * size + x), 3 * (y * size + x) + 3);
      }
      return { data, shape: [size, size, 3] as [number, number, 3] };
    }),
    data_samples: scenes.map((rects, i) => ({
      gt_instances: { bboxes: Float32Array.from(rects.flatMap((r) => r.box)), labels: Int32Array.from(rects, (r) => r.label) },
      metainfo: { img_id: i, ori_shape: [size, size] as [number, number], img_shape: [size, size] as [number, number], scale_factor: [1, 1] as [number, number] },
    })),
  };
}

/** The keys distillation validates (the datasets and metrics are other packages', not registered here). */
function modelPart(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([key]) => key === 'model' || key.startsWith('kd_loss')));
}

async function load(name: string, cfgOptions: string[] = []): Promise<Config> {
  return Config.fromFile(join(configs, name), { cfgOptions: [`model.teacher_ckpt=${teacherCkpt}`, ...cfgOptions] });
}

function build(config: Config): SingleTeacherDistill {
  return MODELS.build<SingleTeacherDistill>(normalizeConfig(config.data).config.model, { path: 'model' });
}

function values(module: Module): Map<string, number[]> {
  return new Map([...module.stateDict()].map(([name, t]) => [name, [...t.dataSync()]]));
}

function shapes(module: Module): Array<[string, number[]]> {
  return [...module.stateDict()].map(([name, t]) => [name, [...t.shape]]);
}

beforeAll(async () => {
  await initBackend('wasm');
  // A teacher checkpoint: the atss_teacher model with its initial weights, saved as a weights-only file.
  const teacherCfg = await Config.fromFile(join(configs, 'atss_teacher.ts'));
  const teacher = MODELS.build<DistillableModel>(teacherCfg.data.model, { path: 'model' });
  await teacher.initWeights!();
  await saveModule(teacherCkpt, teacher);
  teacher.dispose();
}, 60_000);

describe('the short and the general config form', () => {
  it('build the same model: one student, one teacher, one distiller', async () => {
    const short = await load('atss_kd.ts');
    const general = await load('atss_kd_general.ts');
    expect(normalizeConfig(short.data).config.model).toMatchObject({ type: 'SingleTeacherDistill' });
    const a = build(short);
    const b = build(general);
    try {
      expect(a).toBeInstanceOf(SingleTeacherDistill);
      expect(b).toBeInstanceOf(SingleTeacherDistill);
      expect(shapes(a.student)).toEqual(shapes(b.student));
      expect(shapes(a.teacher)).toEqual(shapes(b.teacher));
      expect(a.teacher.parameterCount()).toBeGreaterThan(a.student.parameterCount()); // ResNet-34 vs ResNet-18
      expect(a.distiller.options).toEqual(b.distiller.options);
      expect(a.distiller.options.distill_losses.loss_kd).toEqual({ type: 'DistillationLoss', temperature: 4, loss_weight: 0.5, num_classes: 10 });
      expect(a.options.teacher_config).toBe(join(configs, 'atss_teacher.ts'));
    } finally {
      a.dispose();
      b.dispose();
    }
  }, 60_000);

  it('validate alike, and short-form errors name the keys as written', async () => {
    expect(validateConfig(modelPart((await load('atss_kd.ts')).data))).toEqual([]);
    expect(validateConfig(modelPart((await load('atss_kd_general.ts')).data))).toEqual([]);
    const bad = modelPart((await load('atss_kd.ts', ['model.backbone.depth=19', 'kd_loss.temperature=0'])).data);
    expect(validateConfig(bad).map((i) => i.path)).toEqual(['model.backbone.depth', 'kd_loss.temperature']);
  }, 60_000);

  it('reject a teacher whose head disagrees on classes or anchors, naming both config paths', async () => {
    const config = modelPart((await load('atss_kd.ts')).data);
    const teacher = (config.model as { teacher: { bbox_head: Record<string, unknown> } }).teacher;
    teacher.bbox_head.num_classes = 80;
    teacher.bbox_head.anchor_generator = { ...(teacher.bbox_head.anchor_generator as object), octave_base_scale: 8 };
    const issues = validateConfig(config);
    expect(issues.map((i) => i.path)).toEqual(['model.teacher.bbox_head.num_classes', 'model.teacher.bbox_head.anchor_generator']);
    expect(issues[0]!.message).toContain('model.bbox_head.num_classes has 10');
    expect(issues[0]!.message).toContain('kd_loss');
    expect(issues[1]!.message).toContain('model.bbox_head.anchor_generator');
  });
});

describe('SingleTeacherDistill', () => {
  it('loads the teacher strictly from teacher_ckpt, frozen and in eval mode', async () => {
    const model = build(await load('atss_kd.ts'));
    try {
      await model.initWeights();
      expect(model.teacherReport?.missingKeys).toEqual([]);
      expect(model.teacherReport?.loaded.length).toBe(model.teacher.stateDict().size);
      model.train();
      expect(model.student.training).toBe(true);
      expect(model.teacher.training).toBe(false);
      expect(model.teacher.namedModules().every(([, m]) => !m.training)).toBe(true);
      expect(model.teacher.trainableVariables()).toEqual([]);
    } finally {
      model.dispose();
    }
  }, 60_000);

  it('says how to get a missing teacher checkpoint', async () => {
    const model = build(await load('atss_kd.ts', [`model.teacher_ckpt=${join(dir, 'absent.safetensors')}`]));
    try {
      await expect(model.initWeights()).rejects.toThrow(/teacher checkpoint not found: .*absent\.safetensors[\s\S]*nx run trainer:train --config=.*atss_teacher\.ts/);
    } finally {
      model.dispose();
    }
  }, 60_000);

  it('logs the student losses under their names plus distill.loss_kd, which equals an independent computation', async () => {
    const model = build(await load('atss_kd.ts'));
    try {
      await model.initWeights();
      model.train();
      const b = batch();
      const losses = model.loss(b);
      expect(Object.keys(losses).sort()).toEqual(['distill.loss_kd', 'loss_bbox', 'loss_centerness', 'loss_cls']);
      const kd = losses['distill.loss_kd']!.dataSync()[0]!;
      tf.dispose(Object.values(losses));
      // Independently: every anchor's 10 logits of both heads, softmax at T = 4, KL summed, / rows, × T² × 0.5.
      const expected = tf.tidy(() => {
        const rows = (m: DistillableModel) => {
          const { clsScores } = m.forwardTensor(b) as unknown as { clsScores: tf.Tensor[] };
          return tf.concat(clsScores.map((t) => t.reshape([-1, 10])), 0);
        };
        const s = rows(model.student);
        const t = rows(model.teacher);
        const pT = tf.softmax(t.div(4));
        const kl = tf.sum(pT.mul(tf.log(pT).sub(tf.logSoftmax(s.div(4)))));
        return kl.div(s.shape[0]).mul(16 * 0.5).dataSync()[0]!;
      });
      expect(kd).toBeGreaterThan(0);
      expect(kd).toBeCloseTo(expected, 4);
    } finally {
      model.dispose();
    }
  }, 60_000);

  it('sends gradient to the student only and never changes the teacher; no tensor leaks per step', async () => {
    const model = build(await load('atss_kd.ts'));
    try {
      await model.initWeights();
      model.train();
      const teacherBefore = values(model.teacher);
      const studentBefore = values(model.student);
      const variables = model.trainableVariables();
      const teacherVariables = new Set(model.teacher.namedParameters().map(([, p]) => p.variable));
      expect(variables.length).toBe(model.student.trainableVariables().length);
      expect(variables.some((v) => teacherVariables.has(v))).toBe(false);
      const b = batch();
      // The KD term alone reaches the student's class logits.
      const clsWeight = model.student.namedParameters().find(([name]) => name === 'bbox_head.atss_cls.weight')![1].variable;
      const kdGrad = tf.variableGrads(() => {
        const losses = model.loss(b);
        const kd = losses['distill.loss_kd']!;
        tf.dispose(Object.values(losses).filter((l) => l !== kd));
        return kd;
      }, [clsWeight]);
      expect(tf.tidy(() => kdGrad.grads[clsWeight.name]!.abs().sum().dataSync()[0]!)).toBeGreaterThan(0);
      tf.dispose([kdGrad.value, ...Object.values(kdGrad.grads)]);
      const optimizer = tf.train.sgd(0.01);
      const live: number[] = [];
      for (let step = 0; step < 3; step += 1) {
        const { value, grads } = tf.variableGrads(() => {
          const losses = model.loss(b);
          return tf.addN(Object.values(losses)) as tf.Scalar;
        }, variables);
        optimizer.applyGradients(grads);
        tf.dispose([value, ...Object.values(grads)]);
        live.push(tf.memory().numTensors);
      }
      optimizer.dispose();
      expect(live[2]).toBe(live[1]);
      expect(values(model.teacher)).toEqual(teacherBefore); // parameters and BN running statistics alike
      const studentAfter = values(model.student);
      expect([...studentBefore].some(([name, v]) => studentAfter.get(name)!.some((x, i) => x !== v[i]))).toBe(true);
    } finally {
      model.dispose();
    }
  }, 60_000);

  it('checkpoints hold the student alone, which loads strictly into the plain student config', async () => {
    const model = build(await load('atss_kd.ts'));
    const plainCfg = await Config.fromFile(join(configs, 'atss_student.ts'));
    const plain = MODELS.build<DistillableModel>(plainCfg.data.model, { path: 'model' });
    try {
      await model.initWeights();
      expect([...model.stateDict().keys()]).toEqual([...plain.stateDict().keys()]);
      const file = join(dir, 'student.safetensors');
      await saveModule(file, model);
      const { report } = await loadModule(file, plain); // strict: throws on any missing or unexpected key
      expect(report.loaded.length).toBe(plain.stateDict().size);
      expect(values(plain)).toEqual(values(model.student));
    } finally {
      model.dispose();
      plain.dispose();
    }
  }, 60_000);
});
