/**
 * CocoMetric benchmark: COCO box evaluation of 5,000 images, ~36,000 ground-truth boxes and 100 detections per
 * image (500,000), the size of COCO val2017. Target (issue 5): computeMetrics under 5 s.
 *
 * Data are random but COCO-like and seeded: 80 categories, 1–14 objects per 640×480 image with box sides
 * log-uniform in 8–400 px (about 40% small, 35% medium, 25% large), mask `area` 50–90% of the box, 1% crowds;
 * each object draws 1–3 detections jittered around it (mostly its own class, score rising with IoU), and the
 * rest of the 100 are background boxes of random classes with low scores, listed by descending score as a
 * detector's top-100 output is.
 *
 * Figures: computeMetrics end to end (median of --reps), the evaluator's own phases, and as the same-run
 * baseline a straightforward port of pycocotools' COCOeval (objects, a (image, category) map, re-sorting per
 * area range and maxDets, as cocoeval.py does), whose 12 numbers must equal the fast evaluator's.
 *
 * It imports the BUILT package (dist/): `npm run bench` builds first. Results: bench/results/coco-metric.json.
 *
 * Usage: node bench/coco-metric.mjs [--images 5000] [--reps 3] [--no-baseline]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CocoEvaluator, CocoMetric, allocateDetections } from '@detlab/datasets';
import { naiveCocoEval } from './coco-eval-naive.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: { images: { type: 'string', default: '5000' }, reps: { type: 'string', default: '3' }, 'no-baseline': { type: 'boolean', default: false } },
});
const numImages = Number(args.images);
const reps = Number(args.reps);
const TARGET_MS = 5000;
const DETS_PER_IMAGE = 100;
const NUM_CLASSES = 80;

/** mulberry32: small, fast, seeded. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeData(seed) {
  const r = rng(seed);
  const W = 640, H = 480;
  const categories = Array.from({ length: NUM_CLASSES }, (_, i) => ({ id: i + 1 + Math.floor(i / 10) * 3, name: `class_${i}` }));
  const images = [], annotations = [], samples = [];
  for (let im = 0; im < numImages; im += 1) {
    const imgId = 100000 + im * 7;
    images.push({ id: imgId, width: W, height: H, file_name: `${imgId}.jpg` });
    const objects = [];
    const nObjects = 1 + Math.floor(r() * 13.4); // 7.2 on average, as COCO val2017 (36,781 boxes, 5,000 images)
    for (let o = 0; o < nObjects; o += 1) {
      const w = Math.min(W - 1, Math.exp(Math.log(8) + r() * Math.log(50)));
      const h = Math.min(H - 1, w * Math.exp((r() - 0.5) * 1.2));
      const x = r() * (W - w), y = r() * (H - h);
      const label = Math.floor(r() * NUM_CLASSES);
      objects.push({ x, y, w, h, label });
      annotations.push({
        id: annotations.length + 1, image_id: imgId, category_id: categories[label].id, bbox: [x, y, w, h],
        area: w * h * (0.5 + 0.4 * r()), iscrowd: r() < 0.01 ? 1 : 0,
      });
    }
    const dets = [];
    for (const o of objects) {
      for (let k = 1 + Math.floor(r() * 3); k > 0; k -= 1) {
        const jitter = r() * 0.35; // box error relative to the object's size
        const dx = (r() - 0.5) * jitter * o.w, dy = (r() - 0.5) * jitter * o.h;
        const sw = 1 + (r() - 0.5) * jitter, sh = 1 + (r() - 0.5) * jitter;
        const label = r() < 0.8 ? o.label : Math.floor(r() * NUM_CLASSES);
        dets.push({ box: [o.x + dx, o.y + dy, o.x + dx + o.w * sw, o.y + dy + o.h * sh], score: Math.min(0.99, (1 - jitter) * (0.4 + 0.6 * r())), label });
      }
    }
    while (dets.length < DETS_PER_IMAGE) {
      const w = 8 + r() * 300, h = 8 + r() * 300, x = r() * (W - w), y = r() * (H - h);
      dets.push({ box: [x, y, x + w, y + h], score: 0.3 * r() * r(), label: Math.floor(r() * NUM_CLASSES) });
    }
    dets.sort((a, b) => b.score - a.score).length = DETS_PER_IMAGE;
    samples.push({
      img_id: imgId,
      ori_shape: [H, W],
      pred_instances: {
        bboxes: Float32Array.from(dets.flatMap((d) => d.box)),
        scores: Float32Array.from(dets, (d) => d.score),
        labels: Int32Array.from(dets, (d) => d.label),
      },
    });
  }
  return { gt: { images, annotations, categories }, samples, classes: categories.map((c) => c.name), catIds: categories.map((c) => c.id) };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (ms) => Math.round(ms * 10) / 10;

let t0 = performance.now();
const data = makeData(5);
console.log(`data: ${numImages} images, ${data.gt.annotations.length} ground-truth boxes, ${numImages * DETS_PER_IMAGE} detections (${round(performance.now() - t0)} ms to make)`);

const quiet = { debug() {}, info() {}, warn() {}, error() {}, level: 'error', addFile() {} };
const metric = new CocoMetric({});
metric.logger = quiet;
metric.setGroundTruth(data.gt, 'the benchmark ground truth');
metric.datasetMeta = { classes: data.classes };
for (let i = 0; i < data.samples.length; i += 8) metric.process({}, data.samples.slice(i, i + 8));

const endToEnd = [];
let metrics;
for (let rep = 0; rep < reps; rep += 1) {
  t0 = performance.now();
  metrics = metric.computeMetrics(metric.results);
  endToEnd.push(performance.now() - t0);
}
console.log(`computeMetrics: median ${round(median(endToEnd))} ms of ${reps} (${endToEnd.map(round).join(', ')}), target ${TARGET_MS} ms`);
console.log(`  ${Object.entries(metrics).map(([k, v]) => `${k}=${v}`).join(' ')}`);

// The evaluator's phases on the same detections (labels → category ids as computeMetrics maps them).
const dets = allocateDetections(numImages * DETS_PER_IMAGE);
data.samples.forEach((s, i) => {
  const { bboxes, scores, labels } = s.pred_instances;
  for (let d = 0; d < DETS_PER_IMAGE; d += 1) {
    const j = i * DETS_PER_IMAGE + d;
    dets.imageIds[j] = s.img_id;
    dets.categoryIds[j] = data.catIds[labels[d]];
    dets.boxes.set([bboxes[4 * d], bboxes[4 * d + 1], bboxes[4 * d + 2] - bboxes[4 * d], bboxes[4 * d + 3] - bboxes[4 * d + 1]], 4 * j);
    dets.scores[j] = scores[d];
  }
});
const phases = [];
let stats;
for (let rep = 0; rep < reps; rep += 1) {
  const evaluator = new CocoEvaluator(data.gt, dets, { maxDets: [100, 300, 1000] });
  stats = evaluator.summarize();
  phases.push({ ...evaluator.timings });
}
const phaseMedians = Object.fromEntries(Object.keys(phases[0]).map((k) => [k, round(median(phases.map((p) => p[k])))]));
console.log(`phases (median ms): ${Object.entries(phaseMedians).map(([k, v]) => `${k} ${v}`).join(', ')}`);

let baseline = null;
if (!args['no-baseline']) {
  t0 = performance.now();
  const naive = naiveCocoEval(data.gt, dets, { maxDets: [100, 300, 1000] });
  const ms = performance.now() - t0;
  const maxDiff = Math.max(...naive.stats.map((s, i) => Math.abs(s - stats[i])));
  baseline = { name: 'straight port of pycocotools COCOeval', ms: round(ms), speedup: round(ms / median(endToEnd)), maxStatDifference: maxDiff };
  console.log(`baseline (${baseline.name}): ${baseline.ms} ms, ${baseline.speedup}x slower; largest difference in the 12 numbers: ${maxDiff}`);
  if (!(maxDiff < 1e-12)) throw new Error(`the baseline disagrees with CocoEvaluator: ${naive.stats} vs ${stats}`);
}

const out = join(here, 'results', 'coco-metric.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({
  date: new Date().toISOString(),
  environment: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
  data: { images: numImages, groundTruth: data.gt.annotations.length, detections: numImages * DETS_PER_IMAGE, categories: NUM_CLASSES },
  reps,
  computeMetricsMs: { median: round(median(endToEnd)), all: endToEnd.map(round), targetMs: TARGET_MS, withinTarget: median(endToEnd) < TARGET_MS },
  evaluatorPhasesMs: phaseMedians,
  baseline,
  metrics,
}, null, 2)}\n`);
console.log(`wrote ${out}`);
