/**
 * Makes MNIST-Det, detlab's default dataset, ahead of time (datasets otherwise make it on first use).
 *
 * Imports the BUILT @detlab/datasets; `nx run tools:make-mnist-det` builds it first. A complete copy made with
 * the same options is kept; other options replace it; --force always remakes it.
 *
 * Usage: node tools/make-mnist-det.mjs [--out data/mnist_det] [--seed 0] [--num-train 2000] [--num-val 200]
 *                                      [--image-size 128] [--force]
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ensureMnistDet } from '@detlab/datasets';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'data/mnist_det' },
    seed: { type: 'string' },
    'num-train': { type: 'string' },
    'num-val': { type: 'string' },
    'image-size': { type: 'string' },
    force: { type: 'boolean', default: false },
  },
});
const number = (flag) => (args[flag] === undefined ? undefined : Number(args[flag]));
const options = Object.fromEntries(
  Object.entries({ seed: number('seed'), num_train: number('num-train'), num_val: number('num-val'), image_size: number('image-size') }).filter(([, v]) => v !== undefined),
);

try {
  if (args.force) rmSync(args.out, { recursive: true, force: true });
  const started = performance.now();
  const { made, summary } = await ensureMnistDet(args.out, options, { rebuild_if_different: true });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const what = `${summary.images.train} train images (${summary.boxes.train} boxes), ${summary.images.val} val images (${summary.boxes.val} boxes), seed ${summary.options.seed}`;
  console.log(made ? `MNIST-Det made in ${args.out} in ${seconds} s: ${what}` : `MNIST-Det already complete in ${args.out}: ${what} (--force remakes it)`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
