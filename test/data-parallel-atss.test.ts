/**
 * Data-parallel training of the tiny ATSS (configs/atss/atss_r18_tiny_mnistdet.ts) at 64×64: 3 steps with 2
 * replicas (this thread + 1 worker thread, 2 images each) give the parameters of single-thread training with
 * `accumulative_counts: 2` over the same two shards, from the same initial weights.
 *
 * Why accumulation and not the plain global batch: ATSS couples the images of a batch (BatchNorm statistics in
 * train mode, the loss normalised by the batch's positives), and a replica computes those per shard, as one GPU
 * of mmdet's DDP does. Accumulating the shards on one thread computes exactly the same per-shard quantities.
 * Tolerance: 1e-5 relative (float rounding of how the two shards' gradients are added).
 */
import { Config, MODELS, normalizeConfig } from '@detlab/core';
import { DataParallel, buildOptimWrapper, type TrainableModel } from '@detlab/engine';
import '@detlab/models';
import { initBackend, setSeed, type Module } from '@detlab/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchOf, worstRelativeDifference } from './fixtures/data-parallel.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const REL_TOL = 1e-5;
const OPTIM = { optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 }, clip_grad: { max_norm: 35, norm_type: 2 } };

let modelCfg: Record<string, unknown>;

beforeAll(async () => {
  await initBackend('wasm');
  setSeed(0);
  const config = await Config.fromFile(join(root, 'configs/atss/atss_r18_tiny_mnistdet.ts'));
  modelCfg = normalizeConfig(config.data).config.model as Record<string, unknown>;
}, 120_000);

afterAll(() => setSeed(undefined));

describe('data-parallel tiny ATSS', () => {
  it('2 replicas × 2 images = single-thread accumulation of the same shards, for 3 steps, no tensor leaked', async () => {
    const single = MODELS.build<TrainableModel>(modelCfg, { path: 'model' }).train();
    const main = MODELS.build<TrainableModel>(modelCfg, { path: 'model' }).train();
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
        expect(losses.loss).toBeCloseTo((a.loss + b.loss) / 2, 4);
        counts.push(tf.memory().numTensors);
      }
      expect(counts[2]).toBe(counts[1]); // step 1 created the momentum slots
      expect(worstRelativeDifference(main as Module, single as Module)).toBeLessThanOrEqual(REL_TOL);
    } finally {
      await dp.close();
      for (const m of [owSingle, owDp, single, main]) m.dispose();
    }
  }, 240_000);
});
