/**
 * CPU training throughput (images/s) on the wasm backend, in three layouts of N cores (default: all):
 *
 * - `1x1`: 1 replica on 1 thread (OptimWrapper.updateParams, tfjs's single-threaded wasm);
 * - `Nx1`: N data-parallel replicas (this thread + N − 1 worker threads, DataParallel), 1 wasm thread each;
 * - `1xN`: 1 replica whose convolutions and matrix products run on N threads (env_cfg.num_threads, the
 *   multi-threaded wasm build).
 *
 * Convolutions and train-mode BatchNorm run on oneDNN where @detlab/onednn is built (env_cfg.onednn), on each
 * layout's threads; `--onednn off` keeps them on wasm's kernels. The report says which (`convolutions`).
 *
 * The wasm thread count is fixed per process, so the script runs itself twice (`--threads 1` for 1x1 and Nx1,
 * `--threads N` for 1xN) and merges the two. Cases:
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
 * Usage: node bench/data-parallel.mjs [--workers N (default: cores)] [--warmup 3] [--steps 3] [--only resnet50|atss_tiny] [--onednn on|off] [--no-torch]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
    // 3: V8 compiles wasm in tiers; the first steps run partly on baseline code, the threaded build's for longer.
    warmup: { type: 'string', default: '3' },
    steps: { type: 'string', default: '3' },
    only: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    onednn: { type: 'string', default: 'on' },
    // Internal: one process's part (its wasm thread count, where it writes its results).
    threads: { type: 'string' },
    part: { type: 'string' },
  },
});
const [workers, warmup, steps] = [args.workers, args.warmup, args.steps].map(Number);

const loadBefore = loadavg()[0];
if (args.part === undefined) {
  await runParts();
  process.exit(process.exitCode ?? 0);
}
const threads = Number(args.threads ?? 1);
const onednn = args.onednn !== 'off';
const backendReport = await initBackend('wasm', undefined, { threads, onednn });
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

// This process's layouts: replicas × `threads` wasm threads.
const partResults = {};
for (const c of cases) {
  const runs = {};
  for (const replicas of threads === 1 ? [...new Set([1, workers])] : [1]) {
    const layout = `${replicas}x${threads}`;
    runs[layout] = await measure(c, replicas);
    const r = runs[layout];
    console.log(`${c.name} ${replicas} replica(s) × ${threads} thread(s): median ${r.median_ms} ms/step, ${r.images_per_s} images/s, ${r.tensors_leaked_per_step} tensors leaked per step${r.timings_ms ? ` (${JSON.stringify(r.timings_ms)})` : ''}`);
  }
  partResults[c.name] = { batch: c.shape, runs };
}
const convolutions = backendReport.onednn.active ? `oneDNN ${backendReport.onednn.version}` : `wasm kernels (${backendReport.onednn.reason})`;
writeFileSync(args.part, JSON.stringify({ convolutions, results: partResults }));
if (Object.values(partResults).some((r) => Object.values(r.runs).some((run) => run.tensors_leaked_per_step !== 0))) process.exitCode = 1;

/** Runs the two processes (1 thread: 1x1 and Nx1; N threads: 1xN), merges them, adds torch, writes the report. */
async function runParts() {
  const results = {};
  const passThrough = ['--workers', String(workers), '--warmup', String(warmup), '--steps', String(steps), '--onednn', args.onednn, ...(args.only ? ['--only', args.only] : [])];
  let convolutions;
  for (const t of [...new Set([1, workers])]) {
    const part = join(tmpdir(), `detlab-bench-dp-${process.pid}-${t}.json`);
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...passThrough, '--threads', String(t), '--part', part], { stdio: 'inherit' });
    if (child.status !== 0 && child.status !== 1) throw new Error(`the ${t}-thread part failed (exit ${child.status})`);
    if (child.status === 1) process.exitCode = 1; // tensors leaked
    const written = JSON.parse(readFileSync(part, 'utf8'));
    convolutions = written.convolutions;
    for (const [name, r] of Object.entries(written.results)) {
      results[name] ??= { batch: r.batch, runs: {} };
      Object.assign(results[name].runs, r.runs);
    }
    rmSync(part, { force: true });
  }
  for (const [name, r] of Object.entries(results)) {
    const base = r.runs['1x1'].images_per_s;
    r.speedup = {
      data_parallel: r.runs[`${workers}x1`] ? round(r.runs[`${workers}x1`].images_per_s / base, 2) : null,
      threads: r.runs[`1x${workers}`] ? round(r.runs[`1x${workers}`].images_per_s / base, 2) : null,
    };
    console.log(`${name}: ${workers} replicas give ${r.speedup.data_parallel}× the images/s of 1x1; ${workers} wasm threads give ${r.speedup.threads}×`);
  }
  if (results.resnet50) {
    const torch = args['no-torch'] ? { result: null, reason: '--no-torch' } : runTorch([...new Set([1, workers])]);
    results.resnet50.torch = torch.result;
    results.resnet50.torch_reason = torch.reason;
    if (torch.result) {
      const cores = (layout) => layout.split('x').map(Number).reduce((a, b) => a * b, 1);
      results.resnet50.ratio_vs_torch = Object.fromEntries(
        Object.entries(results.resnet50.runs).map(([layout, run]) => [layout, round(run.median_ms / torch.result[cores(layout)].median_ms, 2)]),
      );
      for (const [layout, ratio] of Object.entries(results.resnet50.ratio_vs_torch)) console.log(`resnet50 ${layout}: detlab/torch (same cores) = ${ratio}×`);
    } else console.log(`torch: not run (${torch.reason})`);
  }
  console.log(`convolutions and BatchNorm on ${convolutions}`);
  writeReport(results, convolutions);
}

/** Writes bench/results/data-parallel.json. */
function writeReport(results, convolutions) {
  const report = {
    benchmark: 'data-parallel',
    date: new Date().toISOString(),
    node: process.version,
    backend: 'wasm',
    convolutions,
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
}

/** Times `warmup + steps` training steps of case `c` with `replicas` replicas. */
async function measure(c, replicas) {
  const model = MODELS.build(c.modelCfg, { path: 'model' }).train();
  const optimWrapper = buildOptimWrapper(model, c.optim);
  const dp = replicas > 1 ? await DataParallel.start({ model, modelCfg: c.modelCfg, replicas, backend: 'wasm', threads: 1, onednn, seed: 0 }) : undefined;
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
