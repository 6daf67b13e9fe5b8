/**
 * Data-parallel training throughput (images/s) on the wasm backend, with 1 replica (today's single-thread
 * step, OptimWrapper.updateParams) and with N replicas (this thread + N − 1 worker threads, DataParallel), for:
 *
 * - `resnet50`: the step of bench/resnet50-step.mjs (ResNet-50 stage outputs, loss Σ mean(out²), train-mode BN)
 *   on a global batch of 2 × 256 × 256 × 3, SGD momentum 0.9; next to PyTorch on the same machine, in the same
 *   run, with torch.set_num_threads(1) and (N) (bench/torch_resnet50_step.py), when a python3 with torch exists;
 * - `atss_tiny`: the small ATSS of configs/atss/atss_r18_tiny_mnistdet.ts on a global batch of 4 synthetic
 *   128 × 128 images (MNIST-Det's size) with 2 boxes each, its own SGD (lr 0.01, momentum 0.9, wd 1e-4).
 *
 * Each case reports the median and fastest step, images/s from the median, and the tensors leaked per step on the
 * main thread (must be 0). It imports the BUILT packages (dist/): build first (`npm run build`).
 * The JSON lands in bench/results/data-parallel.json.
 *
 * Usage: node bench/data-parallel.mjs [--workers N (default: cores)] [--warmup 1] [--steps 3] [--only resnet50|atss_tiny] [--no-torch]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { Config, MODELS, normalizeConfig } from '@detlab/core';
import { DataParallel, buildOptimWrapper } from '@detlab/engine';
import { initBackend, setSeed } from '@detlab/tensor';
import '@detlab/models';
import './lib/bench-models.mjs';
import { findTorchPython, runTorchStep } from './lib/torch-step.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    workers: { type: 'string', default: String(availableParallelism()) },
    warmup: { type: 'string', default: '1' },
    steps: { type: 'string', default: '3' },
    only: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const [workers, warmup, steps] = [args.workers, args.warmup, args.steps].map(Number);

const loadBefore = loadavg()[0];
await initBackend('wasm');
setSeed(0);
const atssConfig = await Config.fromFile(join(here, '..', 'configs/atss/atss_r18_tiny_mnistdet.ts'));

const cases = [
  {
    name: 'resnet50',
    modelCfg: { type: 'BenchResNet50Step', size: 256 },
    optim: { optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9 } },
    batch: () => ({ inputs: [0, 1].map((i) => Float32Array.from({ length: 256 * 256 * 3 }, (_, k) => Math.sin(k * 0.001 + i))) }),
    shape: [2, 256, 256, 3],
  },
  {
    name: 'atss_tiny',
    modelCfg: normalizeConfig(atssConfig.data).config.model,
    optim: { optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 } },
    batch: () => detBatch(4, 128),
    shape: [4, 128, 128, 3],
  },
].filter((c) => !args.only || c.name === args.only);

const results = {};
for (const c of cases) {
  const runs = {};
  for (const replicas of [...new Set([1, workers])]) {
    runs[replicas] = await measure(c, replicas);
    const r = runs[replicas];
    console.log(`${c.name} ${replicas} replica(s): median ${r.median_ms} ms/step, ${r.images_per_s} images/s, ${r.tensors_leaked_per_step} tensors leaked per step${r.timings_ms ? ` (${JSON.stringify(r.timings_ms)})` : ''}`);
  }
  const speedup = workers > 1 ? round(runs[workers].images_per_s / runs[1].images_per_s, 2) : null;
  results[c.name] = { batch: c.shape, runs, speedup };
  if (speedup !== null) console.log(`${c.name}: ${workers} replicas give ${speedup}× the images/s of 1`);
}

if (results.resnet50) {
  const torch = args['no-torch'] ? { result: null, reason: '--no-torch' } : runTorch([...new Set([1, workers])]);
  results.resnet50.torch = torch.result;
  results.resnet50.torch_reason = torch.reason;
  if (torch.result) {
    const ratio = (threads) => round(results.resnet50.runs[threads].median_ms / torch.result[threads].median_ms, 2);
    results.resnet50.ratio_vs_torch = Object.fromEntries(Object.keys(results.resnet50.runs).map((t) => [t, ratio(t)]));
    for (const [t, r] of Object.entries(results.resnet50.ratio_vs_torch)) console.log(`resnet50, ${t} core(s): detlab/torch = ${r}×`);
  } else console.log(`torch: not run (${torch.reason})`);
}

const report = {
  benchmark: 'data-parallel',
  date: new Date().toISOString(),
  node: process.version,
  backend: tf.getBackend(),
  cpu: cpus()[0]?.model,
  cores: availableParallelism(),
  // 1-minute load average before and after the run: a figure well above the replicas used means other processes
  // shared the cores, and the scaling figures understate what a quiet machine gives.
  load_before: round(loadBefore, 2),
  load_after: round(loadavg()[0], 2),
  workers,
  warmup,
  steps,
  results,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'data-parallel.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${join('bench', 'results', 'data-parallel.json')}`);
if (Object.values(results).some((r) => Object.values(r.runs).some((run) => run.tensors_leaked_per_step !== 0))) process.exitCode = 1;

/** Times `warmup + steps` training steps of case `c` with `replicas` replicas. */
async function measure(c, replicas) {
  const model = MODELS.build(c.modelCfg, { path: 'model' }).train();
  const optimWrapper = buildOptimWrapper(model, c.optim);
  const dp = replicas > 1 ? await DataParallel.start({ model, modelCfg: c.modelCfg, replicas, backend: 'wasm', seed: 0 }) : undefined;
  const batch = c.batch();
  const times = [];
  const counts = [];
  const split = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const start = performance.now();
      if (dp) await dp.trainStep(batch, optimWrapper);
      else optimWrapper.updateParams(() => model.loss(batch));
      const ms = performance.now() - start;
      counts.push(tf.memory().numTensors);
      if (i >= warmup) {
        times.push(ms);
        if (dp) split.push(dp.lastTimings);
      }
    }
  } finally {
    await dp?.close();
    optimWrapper.dispose();
    model.dispose();
  }
  const medianMs = median(times);
  const images = c.shape[0];
  return {
    median_ms: round(medianMs),
    min_ms: round(Math.min(...times)),
    times_ms: times.map((t) => round(t)),
    images_per_s: round((images * 1000) / medianMs, 2),
    // After the first step (it creates the momentum slots).
    // Data-parallel only: mean ms per step spent broadcasting weights, on rank 0's own shard, waiting for the
    // workers, and averaging + stepping (the serial parts are broadcast and update).
    timings_ms: split.length ? Object.fromEntries(Object.keys(split[0]).map((k) => [k, round(split.reduce((a, t) => a + t[k], 0) / split.length)])) : undefined,
    tensors_leaked_per_step: (counts[counts.length - 1] - counts[0]) / Math.max(counts.length - 1, 1),
  };
}

/** `n` BGR images of `size`² with two bright boxes each, as a DetBatch. */
function detBatch(n, size) {
  const inputs = [];
  const data_samples = [];
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(size * size * 3).map((_, k) => 20 + ((k * 7 + i * 13) % 11));
    const boxes = [];
    for (const [x1, y1, w] of [[8 + 4 * i, 10, 30], [60, 50 + 3 * i, 40]]) {
      for (let y = y1; y < y1 + w; y++) data.fill(230, 3 * (y * size + x1), 3 * (y * size + x1 + w));
      boxes.push(x1, y1, x1 + w, y1 + w);
    }
    inputs.push({ data, shape: [size, size, 3] });
    data_samples.push({
      gt_instances: { bboxes: Float32Array.from(boxes), labels: Int32Array.of(i % 10, (i + 3) % 10) },
      metainfo: { img_id: i, ori_shape: [size, size], img_shape: [size, size], scale_factor: [1, 1] },
    });
  }
  return { inputs, data_samples };
}

/** torch's step for each thread count, with the first python3 that imports torch; `result: null` and the reason otherwise. */
function runTorch(threadCounts) {
  const { python, reason } = findTorchPython();
  if (!python) return { result: null, reason };
  const result = {};
  for (const threads of threadCounts) {
    const run = runTorchStep(python, { threads, warmup, steps, size: 256, batch: 2 });
    if (!run.result) return run;
    result[threads] = { ...run.result, images_per_s: round(2000 / run.result.median_ms, 2) };
  }
  return { result, reason: undefined };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round(value, digits = 1) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
