/**
 * The wasm kernels detlab rewrites for speed, against tfjs's originals in the same run (issue 11):
 *
 * - BatchMatMul with transposeA / transposeB (tfjs's matMul gradient sets them): Aᵀ·A and A·Aᵀ, A 512×1024;
 * - Sum and Mean over leading axes (BatchNorm statistics, bias gradients): N, H, W of [2, 64, 64, 256];
 * - a 2-D transpose of [8192, 256] as tfjs runs it, and the same copy written as [64, 128, 256] → [256, 64, 128]
 *   (what `transposeLastTwo` does inside the fixes).
 *
 * "fix" runs with `registerKernelFixes` (installed by initBackend), "original" after `unregisterKernelFixes`.
 * Every figure is the median wall time over the repetitions, one thread. It imports the BUILT packages (dist/).
 * Results: bench/results/wasm-kernels.json.
 *
 * Usage: node bench/wasm-kernels.mjs [--reps 5]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, registerKernelFixes, unregisterKernelFixes } from '@detlab/tensor';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({ options: { reps: { type: 'string', default: '5' } } });
const reps = Number(args.reps);

await initBackend('wasm', undefined, { threads: 1 });
const a = tf.randomNormal([512, 1024], 0, 1, 'float32', 1);
const x = tf.randomNormal([2, 64, 64, 256], 0, 1, 'float32', 2);
const m = tf.randomNormal([8192, 256], 0, 1, 'float32', 3);

const cases = {
  'matMul Aᵀ·A (A 512×1024)': () => tf.matMul(a, a, true, false),
  'matMul A·Aᵀ (A 512×1024)': () => tf.matMul(a, a, false, true),
  'sum over N,H,W of [2,64,64,256]': () => tf.sum(x, [0, 1, 2]),
  'mean over N,H,W of [2,64,64,256]': () => tf.mean(x, [0, 1, 2]),
};
const results = {};
for (const [name, run] of Object.entries(cases)) {
  registerKernelFixes();
  const fix = median(run);
  unregisterKernelFixes();
  const original = median(run);
  registerKernelFixes();
  results[name] = { fix_ms: fix, original_ms: original, speedup: round(original / fix) };
  console.log(`${name}: ${fix} ms (tfjs's kernel: ${original} ms, ${round(original / fix)}×)`);
}
const flat = median(() => tf.transpose(m));
const split = median(() => tf.transpose(tf.reshape(m, [64, 128, 256]), [2, 0, 1]));
results['transpose [8192,256]'] = { as_3d_ms: split, as_2d_ms: flat, speedup: round(flat / split) };
console.log(`transpose [8192,256]: 2-D ${flat} ms, as [64,128,256] → [256,64,128] ${split} ms (${round(flat / split)}×)`);
tf.dispose([a, x, m]);

const out = join(here, 'results', 'wasm-kernels.json');
mkdirSync(dirname(out), { recursive: true });
const environment = { node: process.version, cpu: cpus()[0]?.model ?? null, cores: cpus().length, tfjs: tf.version_core };
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), environment, reps, results }, null, 2)}\n`);
console.log(`wrote ${out}`);

/** Median wall time in ms of `run` over `reps` calls after one warm-up; results freed, outside any tidy. */
function median(run) {
  const times = [];
  for (let i = 0; i <= reps; i += 1) {
    const start = performance.now();
    const result = run(); // synchronous on wasm
    const ms = performance.now() - start;
    tf.dispose(result);
    if (i > 0) times.push(ms);
  }
  return round(times.sort((p, q) => p - q)[Math.floor(times.length / 2)]);
}

function round(value) {
  return Math.round(value * 100) / 100;
}
