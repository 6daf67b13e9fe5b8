/**
 * Class-aware NMS benchmark: detlab's `batchedNms` (plain JS on typed arrays) against a tfjs baseline in the
 * same run, on 100 images × 1000 candidates, 80 classes, IoU threshold 0.6 (atss_r50_fpn_1x_coco's test_cfg).
 *
 * Candidates look like a dense head's output after score_thr and nms_pre: per image 3–30 objects (sides 16–400
 * px in a 1333 × 800 image, random classes); each candidate jitters one object's box by ~10% of its size and
 * takes its class (80%) or a random one, plus 10% background boxes anywhere; scores 0.05–1, skewed low.
 *
 * Baselines, both on the wasm backend and counting the tensor uploads/downloads a tfjs-based predict would pay:
 * - `perClass`: one `tf.image.nonMaxSuppression` per class present, then a merge sorted by score;
 * - `offsetTrick`: mmcv's trick, boxes + label × (max + 1), then one `tf.image.nonMaxSuppression` call.
 * tfjs suppresses at IoU ≥ threshold where mmcv uses >; with random float boxes the kept sets still agree,
 * and `agreement` reports on how many images they do.
 *
 * It imports the BUILT package (dist/): `npm run bench` builds first. Results: bench/results/nms.json (gitignored).
 *
 * Usage: node bench/nms.mjs [--images 100] [--candidates 1000] [--warmup 1] [--reps 5]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@detlab/tensor';
import { batchedNms } from '@detlab/models';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '100' },
    candidates: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '1' },
    reps: { type: 'string', default: '5' },
  },
});
const [numImages, numCandidates, warmup, reps] = [args.images, args.candidates, args.warmup, args.reps].map(Number);
const NUM_CLASSES = 80;
const IOU_THRESHOLD = 0.6;
const [IMAGE_W, IMAGE_H] = [1333, 800];

const report = await initBackend('wasm');
const images = Array.from({ length: numImages }, (_, i) => makeImage(i + 1));
console.log(`backend ${report.name}, ${numImages} images × ${numCandidates} candidates, ${NUM_CLASSES} classes, median of ${reps} after ${warmup} warm-up`);

const tensorsBefore = tf.memory().numTensors;
const detlab = measure(() => images.map(({ boxes, scores, labels }) => batchedNms(boxes, scores, labels, { iou_threshold: IOU_THRESHOLD })));
const perClass = measure(() => images.map(perClassBaseline));
const offsetTrick = measure(() => images.map(offsetTrickBaseline));
const leaked = tf.memory().numTensors - tensorsBefore;

const agreement = (other) => images.filter((_, i) => sameSet(detlab.result[i], other.result[i])).length;
const keptMean = detlab.result.reduce((sum, keep) => sum + keep.length, 0) / numImages;
const results = {
  images: numImages,
  candidatesPerImage: numCandidates,
  classes: NUM_CLASSES,
  iouThreshold: IOU_THRESHOLD,
  keptPerImageMean: round(keptMean, 1),
  detlab: summary(detlab),
  baselinePerClass: { ...summary(perClass), agreement: agreement(perClass), slowdownVsDetlab: round(perClass.medianMs / detlab.medianMs, 1) },
  baselineOffsetTrick: { ...summary(offsetTrick), agreement: agreement(offsetTrick), slowdownVsDetlab: round(offsetTrick.medianMs / detlab.medianMs, 1) },
};
for (const [name, row] of Object.entries({ detlab: results.detlab, perClass: results.baselinePerClass, offsetTrick: results.baselineOffsetTrick })) {
  const extra = row.agreement === undefined ? '' : `, same kept set on ${row.agreement}/${numImages} images, ${row.slowdownVsDetlab}× detlab`;
  console.log(`${name.padEnd(12)} ${row.medianMs} ms for all images (${row.perImageMs} ms/image)${extra}`);
}
console.log(`kept per image: ${results.keptPerImageMean} on average; tensors leaked: ${leaked}`);

const out = join(here, 'results', 'nms.json');
mkdirSync(dirname(out), { recursive: true });
const environment = { node: process.version, cpu: cpus()[0]?.model ?? null, cores: cpus().length, tfjs: tf.version_core };
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), environment, backend: report, warmup, reps, leaked, results }, null, 2)}\n`);
console.log(`wrote ${out}`);

/** One image's candidates: boxes [n·4] x1y1x2y2, scores [n], labels [n]; deterministic for a seed. */
function makeImage(seed) {
  const random = lcg(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const objects = Array.from({ length: 3 + Math.floor(random() * 28) }, () => {
    const [w, h] = [16 + random() * 384, 16 + random() * 384];
    const [x, y] = [random() * (IMAGE_W - w), random() * (IMAGE_H - h)];
    return { x, y, w, h, label: Math.floor(random() * NUM_CLASSES) };
  });
  const boxes = new Float32Array(4 * numCandidates);
  const scores = new Float32Array(numCandidates);
  const labels = new Int32Array(numCandidates);
  for (let i = 0; i < numCandidates; i += 1) {
    let { x, y, w, h, label } = objects[Math.floor(random() * objects.length)];
    if (random() < 0.1) [x, y, w, h] = [random() * (IMAGE_W - 40), random() * (IMAGE_H - 40), 8 + random() * 200, 8 + random() * 200];
    const [cx, cy] = [x + w / 2 + 0.1 * w * gaussian(), y + h / 2 + 0.1 * h * gaussian()];
    const [jw, jh] = [w * Math.exp(0.1 * gaussian()), h * Math.exp(0.1 * gaussian())];
    boxes.set([Math.max(0, cx - jw / 2), Math.max(0, cy - jh / 2), Math.min(IMAGE_W, cx + jw / 2), Math.min(IMAGE_H, cy + jh / 2)], 4 * i);
    scores[i] = 0.05 + 0.95 * random() ** 2;
    labels[i] = random() < 0.8 ? label : Math.floor(random() * NUM_CLASSES);
  }
  return { boxes, scores, labels };
}

/** One tf.image.nonMaxSuppression per class present, kept indices merged by descending score. */
function perClassBaseline({ boxes, scores, labels }) {
  const byClass = new Map();
  labels.forEach((label, i) => (byClass.get(label) ?? byClass.set(label, []).get(label)).push(i));
  const keep = [];
  for (const members of byClass.values()) {
    const classBoxes = new Float32Array(members.length * 4);
    members.forEach((i, k) => classBoxes.set(boxes.subarray(4 * i, 4 * i + 4), 4 * k));
    const classScores = Float32Array.from(members, (i) => scores[i]);
    const selected = tf.tidy(() =>
      tf.image.nonMaxSuppression(tf.tensor2d(classBoxes, [members.length, 4]), tf.tensor1d(classScores), members.length, IOU_THRESHOLD),
    );
    for (const k of selected.dataSync()) keep.push(members[k]);
    selected.dispose();
  }
  return Int32Array.from(keep.sort((a, b) => scores[b] - scores[a] || a - b));
}

/** mmcv's batched_nms in tfjs: shift each class by label·(max + 1), then one class-agnostic NMS. */
function offsetTrickBaseline({ boxes, scores, labels }) {
  const selected = tf.tidy(() => {
    const b = tf.tensor2d(boxes, [scores.length, 4]);
    const offsets = tf.mul(tf.tensor1d(labels, 'float32'), tf.add(tf.max(b), 1)).expandDims(1);
    return tf.image.nonMaxSuppression(tf.add(b, offsets), tf.tensor1d(scores), scores.length, IOU_THRESHOLD);
  });
  const keep = Int32Array.from(selected.dataSync());
  selected.dispose();
  return keep;
}

/** Median wall time over the timed repetitions of `run` (all images), with the last result. */
function measure(run) {
  const times = [];
  let result;
  for (let i = 0; i < warmup + reps; i += 1) {
    const start = performance.now();
    result = run();
    if (i >= warmup) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], minMs: times[0], result };
}

function summary({ medianMs, minMs }) {
  return { medianMs: round(medianMs, 2), minMs: round(minMs, 2), perImageMs: round(medianMs / numImages, 3) };
}

function sameSet(a, b) {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return Array.prototype.every.call(b, (i) => set.has(i));
}

/** A small seeded generator (Park–Miller), so every run sees the same candidates. */
function lcg(seed) {
  let state = seed % 2147483647 || 1;
  return () => ((state = (state * 16807) % 2147483647) - 1) / 2147483646;
}

function round(value, digits) {
  return Number(value.toFixed(digits));
}
