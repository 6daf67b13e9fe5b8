/**
 * Fixtures of the picture commands' tests: a tiny COCO dataset of uniform grey images with known boxes, a
 * scalar log as LocalVisBackend writes it, and a CLI runner that captures stdout.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ConsoleLogger } from '@detlab/core';
import { main } from '../cli.js';

/** The grey level of every fixture image. */
export const GREY = 120;

/** A fresh temp folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'detlab-trainer-'));
}

/** Images of the fixture dataset: 64×48, boxes in COCO [x, y, w, h], categories 1 ('cat') and 2 ('dog'). */
export const FIXTURE_IMAGES = [
  { id: 11, file: 'a.png', anns: [{ bbox: [8, 10, 20, 16], category_id: 1 }] },
  { id: 12, file: 'b.png', anns: [{ bbox: [30, 5, 25, 30], category_id: 2 }] },
];

/** Writes the dataset under `root` (`images/`, `ann.json`); returns the dataset config node. */
export async function writeDataset(root: string): Promise<Record<string, unknown>> {
  mkdirSync(join(root, 'images'), { recursive: true });
  for (const image of FIXTURE_IMAGES) {
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: GREY, g: GREY, b: GREY } } }).png().toFile(join(root, 'images', image.file));
  }
  let annId = 1;
  writeFileSync(
    join(root, 'ann.json'),
    JSON.stringify({
      images: FIXTURE_IMAGES.map((i) => ({ id: i.id, file_name: i.file, width: 64, height: 48 })),
      annotations: FIXTURE_IMAGES.flatMap((i) => i.anns.map((a) => ({ id: annId++, image_id: i.id, bbox: a.bbox, category_id: a.category_id, area: a.bbox[2]! * a.bbox[3]!, iscrowd: 0 }))),
      categories: [{ id: 1, name: 'cat' }, { id: 2, name: 'dog' }],
    }),
  );
  return {
    type: 'CocoDataset',
    data_root: `${root}/`,
    ann_file: 'ann.json',
    data_prefix: { img: 'images/' },
    metainfo: { classes: ['cat', 'dog'] },
    pipeline: [{ type: 'LoadImageFromFile' }, { type: 'LoadAnnotations', with_bbox: true }, { type: 'PackDetInputs' }],
  };
}

/** Runs the CLI in-process; returns the exit code, stdout and logged errors. */
export async function runCli(...argv: string[]): Promise<{ code: number; stdout: string; errors: string[] }> {
  let stdout = '';
  const errors: string[] = [];
  const logger = new (class extends ConsoleLogger {
    override error(message: string): void {
      errors.push(message);
    }
    override info(): void {}
  })();
  const code = await main(argv, { stdout: (t) => (stdout += t), logger, isTTY: false });
  return { code, stdout, errors };
}

/** RGB pixel reader of a PNG file or buffer. */
export async function readPixels(png: string | Buffer): Promise<{ width: number; height: number; at: (x: number, y: number) => number[]; count: (rgb: readonly number[]) => number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
  const count = (rgb: readonly number[]) => {
    let n = 0;
    for (let i = 0; i < data.length; i += 3) if (data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2]) n++;
    return n;
  };
  return { width: info.width, height: info.height, at, count };
}

/** Writes `scalars.jsonl` as LocalVisBackend does: train rows every 10 iterations, a val row per epoch. */
export function writeScalarLog(runDir: string, lossScale = 1): void {
  mkdirSync(runDir, { recursive: true });
  const lines: string[] = [];
  for (let epoch = 1; epoch <= 3; epoch++) {
    for (let k = 1; k <= 5; k++) {
      const iter = (epoch - 1) * 50 + k * 10;
      lines.push(JSON.stringify({ lr: 0.01, time: 0.5, loss: lossScale * (3 / Math.sqrt(iter)), loss_cls: lossScale / iter, epoch, iter, step: iter }));
    }
    lines.push(JSON.stringify({ 'coco/bbox_mAP': 0.1 * epoch, 'coco/bbox_mAP_50': 0.2 * epoch, time: 0.2, step: epoch }));
  }
  writeFileSync(join(runDir, 'scalars.jsonl'), `${lines.join('\n')}\n`);
}
