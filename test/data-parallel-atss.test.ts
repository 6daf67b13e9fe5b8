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
import { initBackend, setSeed, type DetBatch, type Module } from '@detlab/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const REL_TOL = 1e-5;
const SIZE = 64;
const OPTIM = { optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 }, clip_grad: { max_norm: 35, norm_type: 2 } };

let modelCfg: Record<string, unknown>;

beforeAll(async () => {
  await initBackend('wasm');
  setSeed(0);
  const config = await Config.fromFile(join(root, 'configs/atss/atss_r18_tiny_mnistdet.ts'));
  modelCfg = normalizeConfig(config.data).config.model as Record<string, unknown>;
}, 120_000);

afterAll(() => setSeed(undefined));

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

function values(model: Module): Map<string, Float32Array | Int32Array> {
  return new Map([...model.stateDict()].map(([name, t]) => [name, t.dataSync() as Float32Array]));
}

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
      const want = values(single);
      let worst = 0;
      for (const [name, p] of main.namedParameters()) {
        const got = p.variable.dataSync();
        const expected = want.get(name)!;
        got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]) / Math.max(1, Math.abs(expected[i])))));
      }
      expect(worst).toBeLessThanOrEqual(REL_TOL);
    } finally {
      await dp.close();
      for (const m of [owSingle, owDp, single, main]) m.dispose();
    }
  }, 240_000);
});
