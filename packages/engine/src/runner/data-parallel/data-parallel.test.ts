import { availableParallelism } from 'node:os';
import { MODELS } from '@detlab/core';
import { initBackend, setSeed, type Module } from '@detlab/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../index.js';
import { Hook } from '../../hooks/hook.js';
import { TensorLeakGuardHook } from '../../hooks/tensor-leak-guard-hook.js';
import { Runner } from '../runner.js';
import { tempDir, testServices } from '../__fixtures__/toy-run.js';
import { trainReplicaCount, wasmThreadsFor } from './from-config.js';
import { buildOptimWrapper } from '../../optim/optimizer/build-optim-wrapper.js';
import type { OptimWrapper } from '../../optim/optimizer/optim-wrapper.js';
import type { TrainableModel } from '../trainable-model.js';
import { DPToyConvBN, toyImageBatch, type ToyImageBatch } from './__fixtures__/toy-conv-bn.js';
import { DataParallel } from './data-parallel.js';

// Parameters after 3 SGD steps agree with single-thread training to this relative tolerance: the replicas run the
// same wasm kernels, and the only difference is the order of float additions when shards' gradients are combined
// (measured: identical to ~1e-7; 1e-5 leaves room for other backends' reductions).
const REL_TOL = 1e-5;
const OPTIM = { optimizer: { type: 'SGD', lr: 0.05, momentum: 0.9, weight_decay: 1e-4 } };

beforeAll(async () => {
  await initBackend('wasm');
  setSeed(0);
}, 120_000);

afterAll(() => setSeed(undefined));

/** Two models built from `cfg` with identical weights (the second gets the first's values). */
function twinModels(cfg: Record<string, unknown>): [TrainableModel, TrainableModel] {
  const a = MODELS.build<TrainableModel>(cfg, { path: 'model' });
  const b = MODELS.build<TrainableModel>(cfg, { path: 'model' });
  const source = (a as Module).stateDict();
  for (const [name, t] of (b as Module).stateDict()) (t as tf.Variable).assign(source.get(name)!);
  a.train();
  b.train();
  return [a, b];
}

function stateValues(model: Module): Map<string, number[]> {
  return new Map([...model.stateDict()].map(([name, t]) => [name, Array.from(t.dataSync())]));
}

function expectSameParams(actual: Module, expected: Module, rel = REL_TOL): void {
  const want = stateValues(expected);
  for (const [name] of actual.namedParameters()) {
    const got = stateValues(actual).get(name)!;
    got.forEach((v, i) => {
      const e = want.get(name)![i];
      expect(Math.abs(v - e), `${name}[${i}]: ${v} vs ${e}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(e)));
    });
  }
}

const batches: ToyImageBatch[] = [0, 1, 2].map((seed) => toyImageBatch(4, seed));

describe('DataParallel', { timeout: 120_000 }, () => {
  it('gives the single-thread parameters on the same global batch when no computation couples samples (BN in eval)', async () => {
    const cfg = { type: 'dptest.DPToyConvBN', norm_eval: true };
    const [single, main] = twinModels(cfg);
    const owSingle = buildOptimWrapper(single, OPTIM);
    const owDp = buildOptimWrapper(main, OPTIM);
    const dp = await DataParallel.start({ model: main, modelCfg: cfg, replicas: 2, backend: 'wasm', seed: 0 });
    try {
      for (const batch of batches) {
        const expected = owSingle.updateParams(() => single.loss(batch)).losses;
        const { losses } = await dp.trainStep(batch, owDp);
        expect(losses.loss).toBeCloseTo(expected.loss, 5);
      }
      expectSameParams(main, single);
    } finally {
      await dp.close();
      owSingle.dispose();
      owDp.dispose();
      single.dispose();
      main.dispose();
    }
  });

  it('with BN in train mode, equals accumulating the shards on one thread; rank 0 keeps its own running statistics', async () => {
    const cfg = { type: 'dptest.DPToyConvBN', with_metric: true };
    const [single, main] = twinModels(cfg);
    const [rank0] = twinModels(cfg); // sees only shard 0: its BN buffers are the ones DDP keeps
    (rank0 as Module).stateDict().forEach((t, name) => (t as tf.Variable).assign((single as Module).stateDict().get(name)!));
    const owSingle = buildOptimWrapper(single, { ...OPTIM, accumulative_counts: 2 });
    const owDp = buildOptimWrapper(main, OPTIM);
    const dp = await DataParallel.start({ model: main, modelCfg: cfg, replicas: 2, backend: 'wasm', seed: 0 });
    try {
      for (const batch of batches) {
        const [shard0, shard1] = [0, 2].map((s) => ({ inputs: batch.inputs.slice(s, s + 2), targets: batch.targets.slice(s, s + 2) }));
        const a = owSingle.updateParams(() => single.loss(shard0)).losses;
        const b = owSingle.updateParams(() => single.loss(shard1)).losses;
        // Running statistics after a forward on shard 0 alone, with the parameters the DP step starts from.
        for (const [name, p] of (rank0 as Module).namedParameters()) p.variable.assign((main as Module).stateDict().get(name)!);
        tf.tidy(() => void rank0.loss(shard0));
        const { losses } = await dp.trainStep(batch, owDp);
        expect(losses.loss).toBeCloseTo((a.loss + b.loss) / 2, 5);
        expect(losses.mean_pred).toBeCloseTo((a.mean_pred + b.mean_pred) / 2, 5);
      }
      expectSameParams(main, single);
      const bn = ['bn1.running_mean', 'bn1.running_var', 'bn1.num_batches_tracked'];
      const mainState = stateValues(main);
      const rank0State = stateValues(rank0);
      for (const name of bn) mainState.get(name)!.forEach((v, i) => expect(v).toBeCloseTo(rank0State.get(name)![i], 5));
      expect(mainState.get('bn1.num_batches_tracked')).toEqual([3]);
    } finally {
      await dp.close();
      for (const m of [owSingle, owDp, single, rank0, main]) m.dispose();
    }
  });

  it('leaves the live tensor count on the main thread unchanged by each step', async () => {
    const cfg = { type: 'dptest.DPToyConvBN' };
    const main = MODELS.build<DPToyConvBN>(cfg, { path: 'model' }).train();
    const ow: OptimWrapper = buildOptimWrapper(main, OPTIM);
    const dp = await DataParallel.start({ model: main, modelCfg: cfg, replicas: 2, backend: 'wasm', seed: 0 });
    try {
      await dp.trainStep(batches[0], ow); // creates the momentum slots
      const counts: number[] = [];
      for (const batch of [...batches, ...batches]) {
        await dp.trainStep(batch, ow);
        counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts).size).toBe(1);
      const timings = dp.lastTimings!;
      expect(timings.replica.compute).toBeGreaterThan(0);
      expect(timings.local + timings.update).toBeGreaterThan(0);
    } finally {
      await dp.close();
      ow.dispose();
      main.dispose();
    }
  });

  it('splits an odd batch 3 + 2 and weights by shard size', async () => {
    const cfg = { type: 'dptest.DPToyConvBN', norm_eval: true };
    const [single, main] = twinModels(cfg);
    const owSingle = buildOptimWrapper(single, OPTIM);
    const owDp = buildOptimWrapper(main, OPTIM);
    const dp = await DataParallel.start({ model: main, modelCfg: cfg, replicas: 2, backend: 'wasm', seed: 0 });
    try {
      const batch = toyImageBatch(5, 9);
      const expected = owSingle.updateParams(() => single.loss(batch)).losses;
      const { losses } = await dp.trainStep(batch, owDp);
      expect(losses.loss).toBeCloseTo(expected.loss, 5);
      expectSameParams(main, single);
    } finally {
      await dp.close();
      for (const m of [owSingle, owDp, single, main]) m.dispose();
    }
  });

  it('sums three replicas\' gradients (each added to the running sum) to the single-thread result', async () => {
    const cfg = { type: 'dptest.DPToyConvBN', norm_eval: true };
    const [single, main] = twinModels(cfg);
    const owSingle = buildOptimWrapper(single, OPTIM);
    const owDp = buildOptimWrapper(main, OPTIM);
    const dp = await DataParallel.start({ model: main, modelCfg: cfg, replicas: 3, backend: 'wasm', seed: 0 });
    try {
      const before = tf.memory().numTensors;
      for (const seed of [3, 4]) {
        const batch = toyImageBatch(7, seed); // shards of 3, 2 and 2
        const expected = owSingle.updateParams(() => single.loss(batch)).losses;
        const { losses } = await dp.trainStep(batch, owDp);
        expect(losses.loss).toBeCloseTo(expected.loss, 5);
      }
      expectSameParams(main, single);
      // The first step made the momentum buffers of the single-thread and the data-parallel optimizer alike.
      expect(tf.memory().numTensors - before).toBe(2 * main.namedParameters().length);
    } finally {
      await dp.close();
      for (const m of [owSingle, owDp, single, main]) m.dispose();
    }
  });

  it('reports a replica whose model cannot be built, with the worker and the reason', async () => {
    const cfg = { type: 'dptest.DPToyConvBN' };
    const main = MODELS.build<DPToyConvBN>(cfg, { path: 'model' });
    try {
      const other = { type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 3 };
      await expect(DataParallel.start({ model: main, modelCfg: other, replicas: 2, backend: 'wasm', seed: 0 })).rejects.toThrow(
        /worker 1 could not build its model replica: replica 1 built a model that differs from the main thread's \(entry 0: main thread has parameter 'conv1.weight'/,
      );
    } finally {
      main.dispose();
    }
  });

  it('rejects a batch it cannot split, naming the fix', async () => {
    const cfg = { type: 'dptest.DPToyConvBN' };
    const main = MODELS.build<DPToyConvBN>(cfg, { path: 'model' });
    const ow = buildOptimWrapper(main, OPTIM);
    const dp = await DataParallel.start({ model: main, modelCfg: cfg, replicas: 2, backend: 'wasm', seed: 0 });
    try {
      await expect(dp.trainStep({ inputs: [new Float32Array(192)], targets: [1, 2] }, ow)).rejects.toThrow(
        /cannot split the batch into per-replica shards: its lists differ in length \(inputs: 1, targets: 2\)/,
      );
    } finally {
      await dp.close();
      ow.dispose();
      main.dispose();
    }
  });
});

/** Records every training loss, in order. */
class LossRecorder extends Hook {
  readonly losses: number[] = [];
  override afterTrainIter(_r: Runner, _i: number, _b?: unknown, outputs?: Record<string, number>): void {
    this.losses.push(outputs!.loss);
  }
}

/** An iterable loader over fixed batches. */
function loader(list: ToyImageBatch[]): { length: number; [Symbol.iterator](): Iterator<ToyImageBatch> } {
  return { length: list.length, [Symbol.iterator]: () => list[Symbol.iterator]() };
}

describe('Runner with env_cfg.num_workers_train', { timeout: 120_000 }, () => {
  async function train(numWorkers: number | 'auto'): Promise<{ runner: Runner; losses: number[]; lines: string[] }> {
    const recorder = new LossRecorder();
    const { services, logger } = testServices();
    const runner = await Runner.fromConfig(
      {
        model: { type: 'dptest.DPToyConvBN', norm_eval: true },
        train_dataloader: loader(batches),
        train_cfg: { type: 'EpochBasedTrainLoop', max_epochs: 2 },
        optim_wrapper: OPTIM,
        default_hooks: { logger: { type: 'LoggerHook', interval: 1, progress_bar: false }, checkpoint: null },
        custom_hooks: [recorder, new TensorLeakGuardHook({ warmup_iters: 1 })],
        randomness: { seed: 0 },
        env_cfg: { backend: 'wasm', num_workers_train: numWorkers },
      },
      { workDir: await tempDir(), services, handleSignals: false },
    );
    await runner.train();
    return { runner, losses: recorder.losses, lines: logger.lines };
  }

  it('trains with 2 replicas to the parameters of 1, without leaking tensors, and closes its workers', async () => {
    const one = await train(1);
    const two = await train(2);
    expect(two.lines.some((l) => l.includes('Data-parallel training: 2 replicas'))).toBe(true);
    expect(one.lines.some((l) => l.includes('Data-parallel'))).toBe(false);
    expect(two.runner.dataParallel).toBeUndefined();
    two.losses.forEach((loss, i) => expect(loss).toBeCloseTo(one.losses[i], 5));
    expectSameParams(two.runner.model, one.runner.model);
    one.runner.model.dispose();
    two.runner.model.dispose();
  });

  it("reads 'auto' as one replica per core and rejects 0 with the config path", () => {
    expect(trainReplicaCount(undefined)).toBe(1);
    expect(trainReplicaCount({ num_workers_train: 3 })).toBe(3);
    expect(trainReplicaCount({ num_workers_train: 'auto' })).toBeGreaterThanOrEqual(1);
    expect(() => trainReplicaCount({ num_workers_train: 0 })).toThrow("env_cfg.num_workers_train: expected a positive integer or 'auto', got 0");
  });

  it("shares the cores between replicas for num_threads 'auto' and keeps a written count", () => {
    const cores = Math.min(availableParallelism(), 8);
    expect(wasmThreadsFor(undefined)).toBe(cores);
    expect(wasmThreadsFor({ num_workers_train: 2 })).toBe(Math.max(1, Math.floor(cores / 2)));
    expect(wasmThreadsFor({ num_workers_train: 2 * cores })).toBe(1);
    expect(wasmThreadsFor({ num_threads: 3, num_workers_train: 2 })).toBe(3);
    expect(() => wasmThreadsFor({ num_threads: 'all' })).toThrow("env_cfg.num_threads: expected an integer from 1 to 8 or 'auto', got 'all'");
    expect(() => wasmThreadsFor({ num_threads: 0 })).toThrow(/env_cfg\.num_threads: expected an integer from 1 to 8 or 'auto', got 0/);
  });
});
