/**
 * Conv gradient benchmark on the wasm backend: forward conv, dX and dW, with wasm's own (naive-loop)
 * Conv2DBackpropInput measured in the same run as the baseline for dX.
 *
 * dX and dW run through detlab's kernel fixes (@detlab/tensor `registerKernelFixes`, installed by
 * `initBackend`). Shapes are those of tfjs-in-node.md §5, written (B, H=W, Cin, Cout, k, stride), 'same'
 * padding. FLOPs = 2 × multiply-accumulates of the forward conv; dX and dW count the same (§5). Every figure
 * is the median over the timed repetitions; kernels run synchronously on wasm and no typed array is ever
 * returned from tf.tidy (§4.5). The forward pass reuses one filter tensor, so XNNPACK's operator cache spares
 * it the weight packing that dX and dW (new filter tensors every call) and a real training step pay.
 *
 * It imports the BUILT package (dist/): `npm run bench:conv-grads -w @detlab/tensor` builds first.
 * Results: bench/results/conv-grads.json (gitignored).
 *
 * Usage: node bench/conv-grads.mjs [--warmup 1] [--reps 5] [--no-naive]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '@detlab/tensor';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    warmup: { type: 'string', default: '1' },
    reps: { type: 'string', default: '5' },
    'no-naive': { type: 'boolean', default: false },
  },
});
const warmup = Number(args.warmup);
const reps = Number(args.reps);

/** (B, H=W, Cin, Cout, k, stride), tfjs-in-node.md §5. */
const SHAPES = [
  [2, 64, 64, 64, 1, 1],
  [2, 64, 64, 64, 1, 2],
  [2, 64, 64, 64, 3, 1],
  [2, 64, 64, 64, 3, 2],
  [1, 32, 256, 256, 3, 1],
  [8, 16, 64, 64, 3, 1],
];

// wasm's own Conv2DBackpropInput, taken before initBackend replaces it. Its setup (binding the C++ function)
// runs when the backend initialises, so initialise wasm first.
await tf.setBackend('wasm');
const naiveDx = tf.getKernel('Conv2DBackpropInput', 'wasm');
const report = await initBackend('wasm');
const backend = tf.backend();
console.log(`backend ${report.name}, ${cpus()[0]?.model ?? 'unknown CPU'}, median of ${reps} after ${warmup} warm-up`);

const tensorsBefore = tf.memory().numTensors;
const results = SHAPES.map(([b, size, cin, cout, k, s]) => {
  const x = tf.randomNormal([b, size, size, cin], 0, 1, 'float32', 1);
  const w = tf.randomNormal([k, k, cin, cout], 0, 0.1, 'float32', 2);
  const y = tf.conv2d(x, w, s, 'same');
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
  const [, ho, wo] = y.shape;
  const gflop = (2 * b * ho * wo * cin * cout * k * k) / 1e9;
  const attrs = { strides: s, pad: 'same', dataFormat: 'NHWC' };

  const forward = () => tf.conv2d(x, w, s, 'same');
  const dX = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape });
  const dW = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape });
  const naive = () => naiveDx.kernelFunc({ inputs: { dy, filter: w }, attrs: { ...attrs, inputShape: x.shape }, backend });

  const row = {
    shape: { batch: b, size, inChannels: cin, outChannels: cout, kernel: k, stride: s },
    gflop: round(gflop, 4),
    forward: measure(forward, gflop),
    dX: measure(dX, gflop),
    dW: measure(dW, gflop),
    dXNaive: args['no-naive'] ? null : measure(naive, gflop, (info) => backend.disposeData(info.dataId)),
  };
  if (row.dXNaive !== null) row.dXSpeedup = round(row.dXNaive.medianMs / row.dX.medianMs, 2);
  row.dXMaxAbsDiffVsNaive = args['no-naive'] ? null : maxAbsDiff(dX, naive);
  console.log(
    `${[b, size, cin, cout, k].join(',')} s${s} (${gflop.toFixed(3)} GFLOP): forward ${fmt(row.forward)} | ` +
      `dX ${fmt(row.dX)}${row.dXNaive ? ` vs naive ${fmt(row.dXNaive)} (${row.dXSpeedup}×)` : ''} | dW ${fmt(row.dW)}`,
  );
  tf.dispose([x, w, y, dy]);
  return row;
});

const leaked = tf.memory().numTensors - tensorsBefore;
console.log(`tensors leaked over the whole run: ${leaked}`);
const out = join(here, 'results', 'conv-grads.json');
mkdirSync(dirname(out), { recursive: true });
const environment = { node: process.version, cpu: cpus()[0]?.model ?? null, cores: cpus().length, tfjs: tf.version_core };
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), environment, backend: report, warmup, reps, leaked, results }, null, 2)}\n`);
console.log(`wrote ${out}`);

/** Median wall time of `run` (its result freed by `free`) and the GFLOP/s it implies. */
function measure(run, gflop, free = (t) => t.dispose()) {
  const times = [];
  for (let i = 0; i < warmup + reps; i += 1) {
    const start = performance.now();
    const result = run(); // synchronous on wasm: the kernel has finished when it returns
    const ms = performance.now() - start;
    free(result);
    if (i >= warmup) times.push(ms);
  }
  const medianMs = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  return { medianMs: round(medianMs, 2), gflops: round(gflop / (medianMs / 1e3), 2) };
}

/** max |ours − naive| of dX, read outside any tidy. */
function maxAbsDiff(ours, naive) {
  const a = ours();
  const b = tf.engine().makeTensorFromTensorInfo(naive());
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b)))); // returns a tensor, never a typed array
  const value = diff.dataSync()[0];
  tf.dispose([a, b, diff]);
  return value;
}

function fmt({ medianMs, gflops }) {
  return `${medianMs.toFixed(1)} ms ${gflops.toFixed(1)} GFLOP/s`;
}

function round(value, digits) {
  return Number(value.toFixed(digits));
}
