/**
 * Runner overhead per training iteration: the same model, optimizer and batches trained by a bare loop
 * (`optimWrapper.updateParams(() => model.loss(batch))` per batch) and by the Runner with MMEngine's default
 * hooks (runtime info, timer, sampler seed, logger every 50 iterations with scalars to LocalVisBackend,
 * param scheduler, checkpoint after the epoch) plus the per-iteration tensor scope. Target: < 3 %.
 *
 * The model is two 3×3 Conv2d layers (3 → 32 → 32 channels, from @detlab/tensor) and a 1×1 conv to one
 * channel on 64×64 images, batch 2, trained with SGD + momentum: tens of milliseconds per step on wasm, the
 * small end of detlab's real steps (a ResNet-18 ATSS step on MNIST-Det takes hundreds). The absolute overhead
 * per iteration is reported too, to judge other step times.
 *
 * Two measurements:
 * - in-run (the figure checked against the target): inside the runner's epoch, the time of the train steps
 *   themselves (`optimWrapper.updateParams`, timed around `runner.trainStep`) against the time from the first
 *   `beforeTrainEpoch` hook to the last `afterTrainIter` hook of the epoch. Everything else, every iteration
 *   hook, the tensor scopes, log lines and scalars to LocalVisBackend, is per-iteration overhead. The end of
 *   the epoch (its checkpoint, mainly) is a per-epoch cost and is reported apart, in milliseconds, and in
 *   `allInOverheadPct` spread over this benchmark's short epochs. Step and overhead come from the same
 *   iterations, so the load of other processes on a shared machine mostly cancels out.
 * - against a bare loop: the same epoch trained by `for (batch of loader) optimWrapper.updateParams(...)`,
 *   alternating with the runner's epochs (in alternating order). On a busy machine this difference is
 *   dominated by noise; it is kept as a sanity check.
 * Each figure is the median over the repetitions; times are wall-clock milliseconds.
 *
 * It imports the BUILT packages (dist/): run `npx nx run engine:build` first (the root `npm run bench` does).
 * Results: bench/results/runner-overhead.json.
 *
 * Usage: node bench/runner-overhead.mjs [--backend wasm] [--iters 50] [--reps 9]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { LOGGER, rootContainer } from '@detlab/core';
import { Conv2d, Module, initBackend, setSeed } from '@detlab/tensor';
import { Hook, Runner, buildOptimWrapper } from '@detlab/engine';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    iters: { type: 'string', default: '50' },
    reps: { type: 'string', default: '9' },
  },
});
const iters = Number(args.iters);
const reps = Number(args.reps);

const SIZE = 64;
const BATCH = 2;

/** conv 3×3 (3 → 32) → ReLU → conv 3×3 (32 → 32) → ReLU → conv 1×1 (32 → 1), regressed onto a target image. */
class SmallNet extends Module {
  conv1 = this.registerModule('conv1', new Conv2d({ in_channels: 3, out_channels: 32, kernel_size: 3, padding: 1 }));
  conv2 = this.registerModule('conv2', new Conv2d({ in_channels: 32, out_channels: 32, kernel_size: 3, padding: 1 }));
  head = this.registerModule('head', new Conv2d({ in_channels: 32, out_channels: 1, kernel_size: 1 }));

  loss(batch) {
    const x = tf.tensor4d(batch.x, [batch.n, SIZE, SIZE, 3]); // [N, H, W, 3]
    const y = tf.tensor4d(batch.y, [batch.n, SIZE, SIZE, 1]); // [N, H, W, 1]
    const features = tf.relu(this.conv2.forward(tf.relu(this.conv1.forward(x)))); // [N, H, W, 32]
    return { loss_mse: tf.losses.meanSquaredError(y, this.head.forward(features)) };
  }

  predict(batch) {
    return Array.from({ length: batch.n }, () => 0);
  }
}

/** `iters` fixed batches, as a dataloader. */
function makeLoader() {
  let state = 7;
  const rand = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const batches = Array.from({ length: iters }, () => ({
    n: BATCH,
    x: Float32Array.from({ length: BATCH * SIZE * SIZE * 3 }, rand),
    y: Float32Array.from({ length: BATCH * SIZE * SIZE }, rand),
  }));
  return { length: iters, dataset: { length: iters * BATCH }, [Symbol.iterator]: () => batches[Symbol.iterator]() };
}

const optimWrapperCfg = { optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 } };
const quiet = { debug() {}, info() {}, warn: (m) => console.warn(m), error: (m) => console.error(m), level: 'info', addFile() {} };

function newModel() {
  setSeed(0);
  return new SmallNet();
}

/** Wall and CPU clocks, in milliseconds. */
function now() {
  const { user, system } = process.cpuUsage();
  return { wall: performance.now(), cpu: (user + system) / 1000 };
}

/** Milliseconds per iteration between two `now()` readings. */
function perIter(from, to) {
  return { wall: (to.wall - from.wall) / iters, cpu: (to.cpu - from.cpu) / iters };
}

/** One epoch with a bare loop; milliseconds per iteration. */
function bareEpoch(loader) {
  const model = newModel();
  const optimWrapper = buildOptimWrapper(model, optimWrapperCfg);
  const start = now();
  for (const batch of loader) optimWrapper.updateParams(() => model.loss(batch));
  const ms = perIter(start, now());
  optimWrapper.dispose();
  model.dispose();
  return ms;
}

/** Notes when the epoch starts, its iterations end and it ends; one runs first (HIGHEST), another last (LOWEST). */
class EpochClock extends Hook {
  startedAt = now();
  iterEndedAt = now();
  endedAt = now();
  constructor(priority) {
    super();
    this.priority = priority;
  }
  beforeTrainEpoch() {
    this.startedAt = now();
  }
  afterTrainIter() {
    this.iterEndedAt = now();
  }
  afterTrainEpoch() {
    this.endedAt = now();
  }
}

/** One epoch with the Runner and its default hooks; milliseconds per iteration, checkpoint included. */
async function runnerEpoch(loader, workDir) {
  const first = new EpochClock(0);
  const last = new EpochClock(100);
  const services = rootContainer.createChildContainer();
  services.register(LOGGER, { useValue: quiet });
  const cfg = {
    model: newModel(),
    train_dataloader: loader,
    train_cfg: { type: 'EpochBasedTrainLoop', max_epochs: 1 },
    optim_wrapper: optimWrapperCfg,
    param_scheduler: [{ type: 'MultiStepLR', milestones: [1], by_epoch: true }],
    default_hooks: { logger: { type: 'LoggerHook', interval: 50, progress_bar: false } },
    custom_hooks: [first, last],
    vis_backends: [{ type: 'LocalVisBackend' }],
    randomness: { seed: 0 },
  };
  const runner = await Runner.fromConfig(cfg, { workDir, services, handleSignals: true });
  const step = runner.trainStep.bind(runner);
  let stepMs = 0;
  runner.trainStep = (batch) => {
    const start = performance.now();
    const losses = step(batch);
    stepMs += performance.now() - start;
    return losses;
  };
  await runner.train();
  const epoch = perIter(first.startedAt, last.endedAt);
  const iterations = perIter(first.startedAt, last.iterEndedAt);
  runner.optimWrapper.dispose();
  runner.model.dispose();
  return { ...epoch, iterations: iterations.wall, epochEndMs: last.endedAt.wall - last.iterEndedAt.wall, step: stepMs / iters };
}

const report = await initBackend(args.backend);
const loader = makeLoader();
const workDir = mkdtempSync(join(tmpdir(), 'detlab-bench-'));
console.log(`backend ${report.name}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${iters} iterations per epoch, ${reps} repetitions after a warm-up`);

bareEpoch(loader);
await runnerEpoch(loader, workDir);
const tensorsBefore = tf.memory().numTensors;
const rows = [];
for (let rep = 0; rep < reps; rep++) {
  let bare;
  let runner;
  if (rep % 2 === 0) {
    bare = bareEpoch(loader);
    runner = await runnerEpoch(loader, workDir);
  } else {
    runner = await runnerEpoch(loader, workDir);
    bare = bareEpoch(loader);
  }
  const row = {
    stepMs: round(runner.step, 4),
    iterationMs: round(runner.iterations, 4),
    overheadPct: round(((runner.iterations - runner.step) / runner.step) * 100, 2),
    epochEndMs: round(runner.epochEndMs, 2),
    allInOverheadPct: round(((runner.wall - runner.step) / runner.step) * 100, 2),
    bareMs: round(bare.wall, 4),
    runnerMs: round(runner.wall, 4),
    vsBarePct: round(((runner.wall - bare.wall) / bare.wall) * 100, 2),
    vsBareCpuPct: round(((runner.cpu - bare.cpu) / bare.cpu) * 100, 2),
  };
  rows.push(row);
  console.log(
    `rep ${rep + 1}: iteration ${runner.iterations.toFixed(3)} ms, of which train step ${runner.step.toFixed(3)} (overhead ${row.overheadPct}%); ` +
      `epoch end ${row.epochEndMs} ms (all in ${row.allInOverheadPct}%); bare loop ${bare.wall.toFixed(3)} ms/iter (runner ${row.vsBarePct}%)`,
  );
}
rmSync(workDir, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const result = {
  date: new Date().toISOString(),
  environment: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, tfjs: tf.version_core, loadavg: loadavg() },
  backend: report,
  model: 'Conv2d 3→32 3×3, ReLU, Conv2d 32→32 3×3, ReLU, Conv2d 32→1 1×1; batch 2×64×64×3; SGD momentum',
  itersPerEpoch: iters,
  reps,
  hooks: 'RuntimeInfo, IterTimer, DistSamplerSeed, Logger(50) + LocalVisBackend, ParamScheduler, Checkpoint(1 epoch)',
  medianStepMsPerIter: median(rows.map((r) => r.stepMs)),
  medianIterationMs: median(rows.map((r) => r.iterationMs)),
  medianOverheadMsPerIter: round(median(rows.map((r) => r.iterationMs - r.stepMs)), 4),
  medianOverheadPct: median(rows.map((r) => r.overheadPct)),
  medianEpochEndMs: median(rows.map((r) => r.epochEndMs)),
  medianAllInOverheadPct: median(rows.map((r) => r.allInOverheadPct)),
  medianBareMsPerIter: median(rows.map((r) => r.bareMs)),
  medianVsBarePct: median(rows.map((r) => r.vsBarePct)),
  medianVsBareCpuPct: median(rows.map((r) => r.vsBareCpuPct)),
  targetPct: 3,
  leakedTensors: tf.memory().numTensors - tensorsBefore,
  rows,
};
result.meetsTarget = result.medianOverheadPct < result.targetPct;
console.log(
  `median per-iteration overhead ${result.medianOverheadPct}% (${result.medianOverheadMsPerIter} ms next to a ${result.medianStepMsPerIter} ms step), ` +
    `target < 3%: ${result.meetsTarget ? 'met' : 'NOT met'}; epoch end ${result.medianEpochEndMs} ms (all in ${result.medianAllInOverheadPct}% ` +
    `over ${iters}-iteration epochs); vs the bare loop ${result.medianVsBarePct}% (CPU time ${result.medianVsBareCpuPct}%)`,
);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'runner-overhead.json'), `${JSON.stringify(result, null, 2)}\n`);

function round(x, digits) {
  return Number(x.toFixed(digits));
}
