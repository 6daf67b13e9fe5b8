/**
 * Data pipeline throughput on MNIST-Det: samples/s of the train pipeline (load PNG, annotations, Resize,
 * RandomFlip, PackDetInputs, collate) through the DataLoader with num_workers 0 and 2, batch 8, as
 * configs/_base_/datasets/mnist_det.ts sets it up. Imports the BUILT packages (dist/): `npm run bench` builds
 * first. MNIST-Det is made in data/mnist_det/ on first use (default options), timed separately.
 *
 * Each setting runs one warm-up epoch (worker start-up and the OS file cache settle), then `--epochs` timed
 * epochs; samples/s is images yielded / wall time, the consumer doing nothing else. As a baseline, when
 * @detlab/models' dist has ResNet, one training step of the tiny MNIST-Det backbone (ResNet-18 at base_channels
 * 16, batch 8 × 128 × 128, forward + backward + SGD on the wasm backend) is timed too: the issue's target is a
 * pipeline at least 3× the training throughput. The backbone alone is faster than the whole ATSS step, so the
 * ratio printed is a lower bound. Results go to bench/results/data-pipeline.json (gitignored).
 *
 * Usage: node bench/data-pipeline.mjs [--epochs 2] [--workers 0,2] [--no-model]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Config } from '@detlab/core';
import { DataLoader, ensureMnistDet } from '@detlab/datasets';

const here = dirname(fileURLToPath(import.meta.url));
process.chdir(join(here, '..')); // data_root in the config is relative to the repository root
const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '2' },
    workers: { type: 'string', default: '0,2' },
    'no-model': { type: 'boolean', default: false },
  },
});
const epochs = Number(args.epochs);

let started = performance.now();
const { made } = await ensureMnistDet('data/mnist_det');
const makeSeconds = (performance.now() - started) / 1000;
console.log(made ? `MNIST-Det made in ${makeSeconds.toFixed(1)} s` : 'MNIST-Det already in data/mnist_det');

const cfg = await Config.fromFile('configs/_base_/datasets/mnist_det.ts');
const trainLoader = cfg.get('train_dataloader');
const settings = [];
for (const numWorkers of args.workers.split(',').map(Number)) {
  const loader = new DataLoader({ ...trainLoader, num_workers: numWorkers, persistent_workers: true, seed: 0 }, 'train_dataloader');
  const times = [];
  let images = 0;
  for (let epoch = 0; epoch <= epochs; epoch += 1) {
    loader.setEpoch(epoch);
    started = performance.now();
    let count = 0;
    for await (const batch of loader) count += batch.inputs.length;
    const seconds = (performance.now() - started) / 1000;
    if (epoch > 0) {
      times.push(seconds);
      images += count;
    }
    console.log(`num_workers ${numWorkers}, ${epoch === 0 ? 'warm-up' : `epoch ${epoch}`}: ${count} images in ${seconds.toFixed(2)} s`);
  }
  await loader.close();
  const total = times.reduce((a, b) => a + b, 0);
  settings.push({ num_workers: numWorkers, batch_size: loader.options.batch_size, images, seconds: round(total), samples_per_s: round(images / total) });
}

const model = args['no-model'] ? { result: null, reason: '--no-model' } : await modelStep(trainLoader.batch_size);
const best = Math.max(...settings.map((s) => s.samples_per_s));
const result = {
  benchmark: 'data-pipeline',
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  dataset: { name: 'MNIST-Det', train_images: settings[0]?.images / epochs, made_now: made, make_seconds: made ? round(makeSeconds) : null },
  pipeline: trainLoader.dataset.pipeline.map((t) => t.type),
  epochs,
  settings,
  model_step: model.result,
  model_step_reason: model.reason,
  pipeline_vs_model: model.result ? round(best / model.result.samples_per_s) : null,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'data-pipeline.json'), `${JSON.stringify(result, null, 2)}\n`);
for (const s of settings) console.log(`num_workers ${s.num_workers}: ${s.samples_per_s} samples/s`);
if (model.result) console.log(`model step (${model.result.model}): ${model.result.samples_per_s} samples/s; pipeline/model = ${result.pipeline_vs_model}×`);
else console.log(`model step: not run (${model.reason})`);
console.log(`wrote ${join('bench', 'results', 'data-pipeline.json')}`);

/** Median training step of the tiny MNIST-Det backbone, when @detlab/models is built. */
async function modelStep(batch) {
  let tf, tensor, models;
  try {
    [tf, tensor, models] = await Promise.all([import('@tensorflow/tfjs-core'), import('@detlab/tensor'), import('@detlab/models')]);
  } catch (error) {
    return { result: null, reason: `@detlab/models not importable: ${error.message}` };
  }
  if (!models.ResNet) return { result: null, reason: '@detlab/models has no ResNet' };
  const backend = await tensor.initBackend('wasm');
  const net = new models.ResNet({ depth: 18, base_channels: 16, out_indices: [0, 1, 2, 3], frozen_stages: -1, norm_eval: false }).train();
  const x = tf.randomNormal([batch, 128, 128, 3], 0, 1, 'float32', 0); // [N, H, W, C]
  const optimizer = tf.train.sgd(0.01);
  const variables = net.trainableVariables();
  const timesMs = [];
  for (let i = 0; i < 6; i += 1) {
    const t0 = performance.now();
    const loss = optimizer.minimize(() => tf.addN(net.forward(x).map((o) => tf.mean(tf.square(o)))), true, variables);
    loss.dataSync();
    loss.dispose();
    if (i > 0) timesMs.push(performance.now() - t0); // the first step compiles kernels
  }
  net.dispose();
  x.dispose();
  const ms = timesMs.sort((a, b) => a - b)[timesMs.length >> 1];
  return { result: { model: 'ResNet-18 base_channels 16 (backbone of atss_r18_tiny_mnistdet)', backend: backend.name, batch: [batch, 128, 128, 3], median_ms: round(ms), samples_per_s: round((batch * 1000) / ms) }, reason: undefined };
}

function round(x) {
  return Math.round(x * 100) / 100;
}
