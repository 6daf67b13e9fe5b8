/**
 * CPU training throughput (images/s) on the wasm backend, in these layouts of N cores (default: all):
 *
 * - `1x1`: 1 replica on 1 thread (OptimWrapper.updateParams, tfjs's single-threaded wasm), on the case's batch B;
 * - `Nx1`: N data-parallel replicas (this thread + N − 1 worker threads, DataParallel), 1 thread each, on the
 *   same batch B split between them (strong scaling: each replica gets B / N images);
 * - `Nx1_batch_xN`: the same replicas on N·B images, B per replica (weak scaling, as DDP runs are measured:
 *   mmdet's `batch_size` is per GPU);
 * - `1xN`: 1 replica whose convolutions and matrix products run on N threads (env_cfg.num_threads; with oneDNN
 *   its OpenMP threads, else the multi-threaded wasm build);
 * - `N_processes`: N independent `1x1` processes at once, images/s summed: what these cores give N copies of the
 *   step with nothing shared, the ceiling for data-parallel scaling on this machine.
 *
 * Convolutions and train-mode BatchNorm run on oneDNN where @detlab/onednn is built (env_cfg.onednn), on each
 * layout's threads; `--onednn off` keeps them on wasm's kernels. The report says which (`convolutions`).
 *
 * The wasm thread count is fixed per process, so the script runs itself in parts (`--threads 1` for 1x1 and Nx1,
 * `--threads N` for 1xN, then N 1x1-only parts at once, per case) and merges them. Cases:
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
 * Usage: node bench/data-parallel.mjs [--workers N (default: cores)] [--warmup 10] [--steps 3] [--only resnet50|atss_tiny] [--onednn on|off] [--no-torch] [--no-processes]
 */
import { spawn, spawnSync } from 'node:child_process';
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
    warmup: { type: 'string', default: '10' },
    steps: { type: 'string', default: '3' },
    only: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    'no-processes': { type: 'boolean', default: false },
    onednn: { type: 'string', default: 'on' },
    // Internal: one process's part (its wasm thread count, where it writes its results).
    threads: { type: 'string' },
    part: { type: 'string' },
    'single-only': { type: 'boolean', default: false },
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
    batch: (n) => ({ inputs: Array.from({ length: n }, (_, i) => Float32Array.from({ length: 256 * 256 * 3 }, (_, k) => Math.sin(k * 0.001 + i))) }),
    shape: [2, 256, 256, 3],
  },
  {
    name: 'atss_tiny',
    modelCfg: normalizeConfig(atssConfig.data).config.model,
    optim: { optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 } },
    batch: (n) => detBatch(n, 128),
    shape: [4, 128, 128, 3],
  },
].filter((c) => !args.only || c.name === args.only);

// This process's layouts: replicas × `threads` threads, on the case's batch or (`_batch_xN`) N times it. They step
// in turn, one step each per round, so that the VM's slow and fast spells fall on all of them alike.
const partResults = {};
for (const c of cases) {
  const layouts = threads > 1 || args['single-only'] ? [[1, 1]] : workers > 1 ? [[1, 1], [workers, 1], [workers, workers]] : [[1, 1]];
  const runs = await measure(c, layouts);
  for (const [layout, r] of Object.entries(runs)) {
    console.log(`${c.name} ${layout}, ${r.images} images: median ${r.median_ms} ms/step, ${r.images_per_s} images/s, ${r.tensors_leaked_per_step} tensors leaked per step${r.timings_ms ? ` (${JSON.stringify(r.timings_ms)})` : ''}`);
  }
  partResults[c.name] = { batch: c.shape, runs };
}
const convolutions = backendReport.onednn.active ? `oneDNN ${backendReport.onednn.version}` : `wasm kernels (${backendReport.onednn.reason})`;
writeFileSync(args.part, JSON.stringify({ convolutions, results: partResults }));
if (Object.values(partResults).some((r) => Object.values(r.runs).some((run) => run.tensors_leaked_per_step !== 0))) process.exitCode = 1;

/**
 * Runs the parts (1 thread: 1x1 and the Nx1 layouts; N threads: 1xN; then N 1x1 processes at once), merges them,
 * adds torch, writes the report.
 */
async function runParts() {
  const results = {};
  const common = ['--workers', String(workers), '--warmup', String(warmup), '--steps', String(steps), '--onednn', args.onednn];
  const passThrough = [...common, ...(args.only ? ['--only', args.only] : [])];
  let convolutions;
  const merge = (written, rename = (layout) => layout) => {
    convolutions = written.convolutions;
    for (const [name, r] of Object.entries(written.results)) {
      results[name] ??= { batch: r.batch, runs: {} };
      for (const [layout, run] of Object.entries(r.runs)) results[name].runs[rename(layout)] = run;
    }
  };
  for (const t of [...new Set([1, workers])]) {
    const part = join(tmpdir(), `detlab-bench-dp-${process.pid}-${t}.json`);
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...passThrough, '--threads', String(t), '--part', part], { stdio: 'inherit' });
    if (child.status !== 0 && child.status !== 1) throw new Error(`the ${t}-thread part failed (exit ${child.status})`);
    if (child.status === 1) process.exitCode = 1; // tensors leaked
    merge(JSON.parse(readFileSync(part, 'utf8')));
    rmSync(part, { force: true });
  }
  if (workers > 1 && !args['no-processes']) {
    for (const name of Object.keys(results)) {
      // One case at a time, so that the processes run the same step side by side.
      const parts = await runConcurrentParts([...common, '--only', name]);
      const runs = parts.map((p) => p.results[name].runs['1x1']);
      results[name].runs[`${workers}_processes`] = {
        images_per_s: round(runs.reduce((sum, r) => sum + r.images_per_s, 0), 2),
        median_ms_per_process: runs.map((r) => r.median_ms),
        tensors_leaked_per_step: Math.max(...runs.map((r) => r.tensors_leaked_per_step)),
      };
      console.log(`${name}: ${workers} independent 1x1 processes at once: ${results[name].runs[`${workers}_processes`].images_per_s} images/s in all (medians ${runs.map((r) => r.median_ms).join(', ')} ms/step)`);
    }
  }
  for (const [name, r] of Object.entries(results)) {
    const base = r.runs['1x1'].images_per_s;
    const speedup = (layout) => (r.runs[layout] ? round(r.runs[layout].images_per_s / base, 2) : null);
    r.speedup = {
      data_parallel: speedup(`${workers}x1`),
      data_parallel_batch_xN: speedup(`${workers}x1_batch_x${workers}`),
      threads: speedup(`1x${workers}`),
      independent_processes: speedup(`${workers}_processes`),
    };
    console.log(`${name}: against 1x1, ${workers} replicas give ${r.speedup.data_parallel}× the images/s on the same batch and ${r.speedup.data_parallel_batch_xN}× on ${workers}× the batch; ${workers} threads ${r.speedup.threads}×; ${workers} independent processes ${r.speedup.independent_processes}×`);
  }
  if (results.resnet50) {
    const torch = args['no-torch'] ? { result: null, reason: '--no-torch' } : runTorch([...new Set([1, workers])]);
    results.resnet50.torch = torch.result;
    results.resnet50.torch_reason = torch.reason;
    if (torch.result) {
      // torch's images/s over detlab's, on the cores each layout uses (1 for 1x1, N for the others): > 1 = slower.
      const cores = (layout) => (layout === '1x1' ? 1 : workers);
      results.resnet50.ratio_vs_torch = Object.fromEntries(
        Object.entries(results.resnet50.runs).map(([layout, run]) => [layout, round(torch.result[cores(layout)].images_per_s / run.images_per_s, 2)]),
      );
      for (const [layout, ratio] of Object.entries(results.resnet50.ratio_vs_torch)) console.log(`resnet50 ${layout}: torch's images/s / detlab's (same cores) = ${ratio}×`);
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

/**
 * Times `warmup + steps` training steps of case `c` in each layout ([replicas, batch multiple]), the layouts
 * taking turns step by step; results by layout name.
 */
async function measure(c, layouts) {
  const setups = [];
  try {
    for (const [replicas, batchTimes] of layouts) {
      const model = MODELS.build(c.modelCfg, { path: 'model' }).train();
      const optimWrapper = buildOptimWrapper(model, c.optim);
      const setup = { name: `${replicas}x${threads}${batchTimes > 1 ? `_batch_x${batchTimes}` : ''}`, model, optimWrapper, times: [], leaked: 0, split: [] };
      setups.push(setup);
      setup.dp = replicas > 1 ? await DataParallel.start({ model, modelCfg: c.modelCfg, replicas, backend: 'wasm', threads: 1, onednn, seed: 0 }) : undefined;
      setup.images = c.shape[0] * batchTimes;
      setup.batch = c.batch(setup.images);
    }
    for (let i = 0; i < warmup + steps; i++) {
      // Concurrent processes start timing together, once all are warm: a process still starting up (loading,
      // compiling wasm on V8's background threads) would slow the others.
      if (i === warmup && process.send) await readyThenGo();
      for (const setup of setups) {
        const before = tf.memory().numTensors;
        const start = performance.now();
        if (setup.dp) await setup.dp.trainStep(setup.batch, setup.optimWrapper);
        else setup.optimWrapper.updateParams(() => setup.model.loss(setup.batch));
        const ms = performance.now() - start;
        // From the second step on (the first creates the momentum slots).
        if (i > 0) setup.leaked += tf.memory().numTensors - before;
        if (i >= warmup) {
          setup.times.push(ms);
          if (setup.dp) setup.split.push(setup.dp.lastTimings);
        }
      }
    }
  } finally {
    for (const setup of setups) {
      await setup.dp?.close();
      setup.optimWrapper.dispose();
      setup.model.dispose();
    }
  }
  return Object.fromEntries(
    setups.map(({ name, images, times, split, leaked }) => {
      const medianMs = median(times);
      const run = {
        images,
        median_ms: round(medianMs),
        min_ms: round(Math.min(...times)),
        times_ms: times.map((t) => round(t)),
        images_per_s: round((images * 1000) / medianMs, 2),
        // Data-parallel only: mean ms per step spent broadcasting weights, on rank 0's own shard, waiting for the
        // workers, and averaging + stepping (the serial parts are broadcast and update), and the slowest worker's
        // load / compute / send.
        timings_ms: split.length ? meanOf(split) : undefined,
        tensors_leaked_per_step: leaked / Math.max(warmup + steps - 1, 1),
      };
      return [name, run];
    }),
  );
}

/** The mean of each number in objects of one shape (nested objects averaged key by key), rounded. */
function meanOf(objects) {
  return Object.fromEntries(
    Object.keys(objects[0]).map((k) => [k, typeof objects[0][k] === 'object' ? meanOf(objects.map((o) => o[k])) : round(objects.reduce((a, o) => a + o[k], 0) / objects.length)]),
  );
}

/** Tells the parent process this one is warm and waits for its go. */
function readyThenGo() {
  return new Promise((resolve) => {
    process.once('message', resolve);
    process.send('ready');
  });
}

/** N `1x1`-only parts at once (one thread each), with arguments `partArgs`, timed together; their results. */
async function runConcurrentParts(partArgs) {
  const files = Array.from({ length: workers }, (_, i) => join(tmpdir(), `detlab-bench-dp-${process.pid}-process-${i}.json`));
  const children = [];
  let ready = 0;
  const exits = await Promise.all(
    files.map(
      (file) =>
        new Promise((resolve, reject) => {
          const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...partArgs, '--threads', '1', '--single-only', '--part', file], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
          children.push(child);
          child.on('error', reject);
          child.on('message', () => {
            ready += 1;
            if (ready === workers) for (const c of children) c.send('go');
          });
          child.on('exit', (code) => resolve(code));
        }),
    ),
  );
  if (exits.some((code) => code !== 0 && code !== 1)) throw new Error(`a concurrent 1x1 process failed (exits ${exits.join(', ')})`);
  if (exits.includes(1)) process.exitCode = 1;
  const parts = files.map((file) => JSON.parse(readFileSync(file, 'utf8')));
  for (const file of files) rmSync(file, { force: true });
  return parts;
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
