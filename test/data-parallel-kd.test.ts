/**
 * Data-parallel training of a distillation model: the README's main job (configs/distill/atss_kd.ts, the short
 * form, normalised to SingleTeacherDistill) at 64×64 with 2 replicas. Each worker builds the student and loads the
 * frozen teacher from `teacher_ckpt` itself (replicas run `initWeights` as the runner does for rank 0); only the
 * student's parameters and buffers travel. 3 steps of
 * 2 replicas × 2 images give the student parameters of single-thread training with `accumulative_counts: 2`
 * over the same shards (BatchNorm statistics, ATSS's normaliser and the KD loss's mean are per shard in both),
 * to 1e-5 relative; the logged `distill.loss_kd` is the mean of the shards'.
 */
import { Config, MODELS, normalizeConfig } from '@detlab/core';
import '@detlab/distill';
import { DataParallel, buildOptimWrapper, type TrainableModel } from '@detlab/engine';
import '@detlab/models';
import { initBackend, saveModule, setSeed, type DetBatch, type Module } from '@detlab/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const REL_TOL = 1e-5;
const SIZE = 64;
const OPTIM = { optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 } };

let modelCfg: Record<string, unknown>;
let dir: string;

beforeAll(async () => {
  await initBackend('wasm');
  setSeed(0);
  dir = await mkdtemp(join(tmpdir(), 'detlab-dp-kd-'));
  const teacherCkpt = join(dir, 'teacher.safetensors');
  // A teacher checkpoint: the atss_teacher model with its initial weights, saved as a weights-only file.
  const teacherCfg = await Config.fromFile(join(root, 'configs/distill/atss_teacher.ts'));
  const teacher = MODELS.build<Module & { initWeights(): Promise<void> }>(teacherCfg.data.model, { path: 'model' });
  await teacher.initWeights();
  await saveModule(teacherCkpt, teacher);
  teacher.dispose();
  const config = await Config.fromFile(join(root, 'configs/distill/atss_kd.ts'), { cfgOptions: [`model.teacher_ckpt=${teacherCkpt}`] });
  modelCfg = normalizeConfig(config.data).config.model as Record<string, unknown>;
}, 120_000);

afterAll(async () => {
  setSeed(undefined);
  await rm(dir, { recursive: true, force: true });
});

/** `n` 64×64 BGR images with 1–2 bright boxes each (labels 0–9), deterministic in `seed`. */
function batchOf(n: number, seed: number): DetBatch {
  let state = seed * 7919 + 1;
  const rand = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const inputs: DetBatch['inputs'] = [];
  const data_samples: DetBatch['data_samples'] = [];
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(SIZE * SIZE * 3).map(() => 20 + Math.floor(rand() * 10));
    const boxes: number[] = [];
    const labels: number[] = [];
    for (let k = 0; k < 1 + (i % 2); k++) {
      const [x1, y1] = [Math.floor(rand() * 30), Math.floor(rand() * 30)];
      const [x2, y2] = [x1 + 14 + Math.floor(rand() * 18), y1 + 14 + Math.floor(rand() * 18)];
      for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) data.fill(220, 3 * (y * SIZE + x), 3 * (y * SIZE + x) + 3);
      boxes.push(x1, y1, x2, y2);
      labels.push(Math.floor(rand() * 10));
    }
    inputs.push({ data, shape: [SIZE, SIZE, 3] });
    data_samples.push({
      gt_instances: { bboxes: Float32Array.from(boxes), labels: Int32Array.from(labels) },
      metainfo: { img_id: i, ori_shape: [SIZE, SIZE], img_shape: [SIZE, SIZE], scale_factor: [1, 1] },
    });
  }
  return { inputs, data_samples };
}

describe('data-parallel knowledge distillation (atss_kd)', () => {
  it('2 replicas × 2 images = single-thread accumulation of the same shards, teacher loaded in every replica', async () => {
    const single = MODELS.build<TrainableModel & Module>(modelCfg, { path: 'model' }).train();
    const main = MODELS.build<TrainableModel & Module>(modelCfg, { path: 'model' }).train();
    // As the runner does before training: initWeights loads the teacher from teacher_ckpt.
    await single.initWeights!();
    await main.initWeights!();
    const init = single.stateDict();
    for (const [name, t] of main.stateDict()) (t as tf.Variable).assign(init.get(name)!);
    const owSingle = buildOptimWrapper(single, { ...OPTIM, accumulative_counts: 2 });
    const owDp = buildOptimWrapper(main, OPTIM);
    const dp = await DataParallel.start({ model: main, modelCfg, replicas: 2, backend: 'wasm', seed: 0 });
    try {
      const counts: number[] = [];
      for (let step = 0; step < 3; step++) {
        const batch = batchOf(4, step);
        const shards = [0, 2].map((s) => ({ inputs: batch.inputs.slice(s, s + 2), data_samples: batch.data_samples.slice(s, s + 2) }));
        const a = owSingle.updateParams(() => single.loss(shards[0])).losses;
        const b = owSingle.updateParams(() => single.loss(shards[1])).losses;
        const { losses } = await dp.trainStep(batch, owDp);
        expect(a['distill.loss_kd']).toBeGreaterThan(0);
        expect(losses['distill.loss_kd']).toBeCloseTo((a['distill.loss_kd']! + b['distill.loss_kd']!) / 2, 5);
        expect(losses.loss).toBeCloseTo((a.loss! + b.loss!) / 2, 4);
        counts.push(tf.memory().numTensors);
      }
      expect(counts[2]).toBe(counts[1]); // step 1 created the momentum slots
      const want = new Map([...single.stateDict()].map(([name, t]) => [name, t.dataSync()]));
      let worst = 0;
      for (const [name, p] of main.namedParameters()) {
        const got = p.variable.dataSync();
        const expected = want.get(name)!;
        got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]!) / Math.max(1, Math.abs(expected[i]!)))));
      }
      expect(worst).toBeLessThanOrEqual(REL_TOL);
    } finally {
      await dp.close();
      for (const m of [owSingle, owDp, single, main]) m.dispose();
    }
  }, 240_000);
});
