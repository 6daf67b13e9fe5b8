/**
 * ResNet-50 training-step benchmark on the wasm backend, with PyTorch as the reference in the same run.
 *
 * One step = forward of the four stage outputs of ResNet-50 (no fc) on a batch of 2 × 256 × 256 × 3, loss =
 * Σ_stages mean(out²), backward, SGD with momentum 0.9 (the engine's `SGD`, torch.optim.SGD's update), in train mode. It imports the BUILT
 * packages (dist/), so build first: `npm run bench` does both.
 *
 * Reports the median step time, the effective GFLOP/s (forward conv FLOPs = 2 × multiply-accumulates, counted
 * from each conv's output shape; × 3 for forward + backward, the convention of tfjs-in-node.md §5), and the
 * tensors leaked per step (must be 0). When a python3 with torch is found, the same step runs there
 * (bench/torch_resnet50_step.py, torch.set_num_threads(2)) and the ratio is printed; otherwise `torch` is null
 * with the reason. The JSON lands in bench/results/resnet50-step.json (gitignored).
 *
 * `--threads N|auto` sets the wasm backend's XNNPACK threads (env_cfg.num_threads; default auto = cores); torch runs
 * on the same count. `--profile` adds one profiled step and prints the kernels that took the most time.
 *
 * `--onednn off` keeps the convolutions and BatchNorm on wasm's own kernels where @detlab/onednn is built.
 *
 * Usage: node bench/resnet50-step.mjs [--warmup 1] [--steps 5] [--size 256] [--batch 2] [--threads auto] [--onednn on|off] [--profile] [--no-torch]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, initBackend } from '@detlab/tensor';
import { buildOptimWrapper } from '@detlab/engine';
import { ResNet } from '@detlab/models';
import { findTorchPython, runTorchStep } from './lib/torch-step.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    warmup: { type: 'string', default: '1' },
    steps: { type: 'string', default: '5' },
    size: { type: 'string', default: '256' },
    batch: { type: 'string', default: '2' },
    threads: { type: 'string', default: 'auto' },
    onednn: { type: 'string', default: 'on' },
    profile: { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
  },
});
const [warmup, steps, size, batch] = [args.warmup, args.steps, args.size, args.batch].map(Number);

const report = await initBackend('wasm', undefined, { threads: args.threads === 'auto' ? 'auto' : Number(args.threads), onednn: args.onednn !== 'off' });
const convolutions = report.onednn.active ? `oneDNN ${report.onednn.version}` : `wasm kernels (${report.onednn.reason})`;
const net = new ResNet({ depth: 50, norm_eval: false }).train(); // every BN on batch statistics, as torch's train()
const x = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', 0); // [N, H, W, C]
// The engine's SGD, as training uses it (torch.optim.SGD's update; one native pass per parameter with oneDNN).
const optimWrapper = buildOptimWrapper(net, { optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9 } });

const gflopPerStep = (3 * 2 * countForwardMacs(net, x)) / 1e9;
console.log(`ResNet-50 step, batch ${batch}×${size}×${size}×3, backend ${report.name} on ${report.threads} thread(s), convolutions and BatchNorm on ${convolutions}: ${gflopPerStep.toFixed(1)} GFLOP per step`);
const step = () => optimWrapper.updateParams(() => tf.addN(net.forward(x).map((o) => tf.mean(tf.square(o)))));

const timesMs = [];
const tensorsAfter = [];
for (let i = 0; i < warmup + steps; i += 1) {
  const start = performance.now();
  step(); // returns the loss as a number: the step has finished

  const ms = performance.now() - start;
  tensorsAfter.push(tf.memory().numTensors);
  if (i >= warmup) timesMs.push(ms);
  console.log(`${i < warmup ? 'warm-up' : 'step'} ${i + 1}: ${ms.toFixed(0)} ms, ${tf.memory().numTensors} live tensors`);
}
const medianMs = median(timesMs);
// Leaks per step, measured after the first step: optimizer slots (momentum accumulators) are created there.
const leakedPerStep = (tensorsAfter[tensorsAfter.length - 1] - tensorsAfter[0]) / Math.max(tensorsAfter.length - 1, 1);
const gflops = gflopPerStep / (medianMs / 1000);
const profile = args.profile ? await profileStep(step) : null;
const torch = args['no-torch'] ? { result: null, reason: '--no-torch' } : runTorch(report.threads);

const result = {
  benchmark: 'resnet50-step',
  date: new Date().toISOString(),
  node: process.version,
  backend: tf.getBackend(),
  threads: report.threads,
  convolutions,
  batch: [batch, size, size, 3],
  warmup,
  steps,
  median_ms: round(medianMs),
  // The fastest step is the least disturbed by other processes on the machine (torch's OpenMP threads suffer most).
  min_ms: round(Math.min(...timesMs)),
  times_ms: timesMs.map(round),
  gflop_per_step: round(gflopPerStep),
  gflops: round(gflops),
  tensors_leaked_per_step: leakedPerStep,
  parameters: net.parameterCount(),
  kernel_profile: profile,
  torch: torch.result,
  torch_reason: torch.reason,
  ratio_vs_torch: torch.result ? round(medianMs / torch.result.median_ms) : null,
  ratio_vs_torch_min: torch.result ? round(Math.min(...timesMs) / torch.result.min_ms) : null,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'resnet50-step.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(`median ${result.median_ms} ms/step, ${result.gflops} GFLOP/s, ${leakedPerStep} tensors leaked per step`);
if (torch.result) {
  console.log(`torch (${torch.result.threads} threads): median ${round(torch.result.median_ms)} ms/step, min ${round(torch.result.min_ms)}`);
  console.log(`detlab/torch = ${result.ratio_vs_torch}× (median), ${result.ratio_vs_torch_min}× (fastest steps)`);
}
else console.log(`torch: not run (${torch.reason})`);
console.log(`wrote ${join('bench', 'results', 'resnet50-step.json')}`);
optimWrapper.dispose();
net.dispose();
if (leakedPerStep !== 0) process.exitCode = 1;

/** Multiply-accumulates of every Conv2d in one forward pass, from the output shape each one produces. */
function countForwardMacs(model, input) {
  let macs = 0;
  const original = Conv2d.prototype.forward;
  Conv2d.prototype.forward = function (t) {
    const y = original.call(this, t);
    const [kh, kw, cin, cout] = this.weight.shape;
    macs += (y.size / cout) * kh * kw * cin * cout; // N·H'·W' outputs per channel × kernel volume × channels
    return y;
  };
  try {
    tf.dispose(tf.tidy(() => model.forward(input)));
  } finally {
    Conv2d.prototype.forward = original;
  }
  return macs;
}

/** Runs the PyTorch step on `threads` threads with the first python3 that imports torch; `result: null` and the reason otherwise. */
function runTorch(threads) {
  const { python, reason } = findTorchPython();
  return python ? runTorchStep(python, { threads, warmup, steps, size, batch }) : { result: null, reason };
}

/**
 * One step under tf.profile: wall time per kernel name, summed, largest first (the top 15 are printed). On wasm a
 * kernel runs synchronously, so its time is its own; a composed kernel (detlab's conv gradients) includes the
 * kernels it runs, which tf.profile does not list separately.
 */
async function profileStep(run) {
  const info = await tf.profile(() => void run());
  const byKernel = new Map();
  for (const k of info.kernels) {
    const entry = byKernel.get(k.name) ?? { kernel: k.name, calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byKernel.set(k.name, entry);
  }
  const rows = [...byKernel.values()].sort((a, b) => b.ms - a.ms).map((r) => ({ ...r, ms: round(r.ms) }));
  const total = rows.reduce((sum, r) => sum + r.ms, 0);
  console.log(`profiled step: ${round(total)} ms in ${info.kernels.length} kernels`);
  for (const r of rows.slice(0, 15)) console.log(`  ${r.kernel.padEnd(24)} ${String(r.calls).padStart(5)} calls ${r.ms.toFixed(1).padStart(8)} ms ${((100 * r.ms) / total).toFixed(1).padStart(5)}%`);
  return { total_ms: round(total), kernels: rows };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round(value) {
  return Math.round(value * 10) / 10;
}
