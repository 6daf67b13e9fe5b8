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
import '@detlab/engine';
import '@detlab/models';
import { initBackend, saveModule, setSeed, type Module } from '@detlab/tensor';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainBothWays } from './fixtures/data-parallel.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const REL_TOL = 1e-5;
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

describe('data-parallel knowledge distillation (atss_kd)', () => {
  it('2 replicas × 2 images = single-thread accumulation of the same shards, teacher loaded in every replica', async () => {
    // As the runner does before training: initWeights loads the teacher from teacher_ckpt.
    const { losses, counts, worst } = await trainBothWays(modelCfg, OPTIM, { prepare: async (model) => void (await model.initWeights!()) });
    for (const { dataParallel, shards: [a, b] } of losses) {
      expect(a['distill.loss_kd']).toBeGreaterThan(0);
      expect(dataParallel['distill.loss_kd']).toBeCloseTo((a['distill.loss_kd']! + b['distill.loss_kd']!) / 2, 5);
      expect(dataParallel.loss).toBeCloseTo((a.loss! + b.loss!) / 2, 4);
    }
    expect(counts[2]).toBe(counts[1]); // step 1 created the momentum slots
    expect(worst).toBeLessThanOrEqual(REL_TOL);
  }, 240_000);
});
