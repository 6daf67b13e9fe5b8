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
import { Config, normalizeConfig } from '@detlab/core';
import '@detlab/models';
import { initBackend, setSeed } from '@detlab/tensor';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainBothWays } from './fixtures/data-parallel.js';

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
    const { losses, counts, worst } = await trainBothWays(modelCfg, OPTIM);
    for (const { dataParallel, shards: [a, b] } of losses) expect(dataParallel.loss).toBeCloseTo((a.loss! + b.loss!) / 2, 4);
    expect(counts[2]).toBe(counts[1]); // step 1 created the momentum slots
    expect(worst).toBeLessThanOrEqual(REL_TOL);
  }, 240_000);
});
