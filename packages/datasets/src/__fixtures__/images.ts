/**
 * Test fixtures: small images written with sharp and tiny COCO datasets in a temp folder.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** A fresh temp folder. */
export function tempDir(prefix = 'detlab-datasets-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes a w×h RGB image whose pixel (x, y) is [r, g, b] = [x, y, 7]: easy to check orientation and order.
 * `format` picks the encoder; `orientation` sets the EXIF tag (JPEG only).
 */
export async function writeGradient(file: string, w: number, h: number, format: 'png' | 'jpeg' | 'webp' = 'png', orientation?: number): Promise<void> {
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) raw.set([x, y, 7], (y * w + x) * 3);
  }
  let img = sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  if (format === 'png') img = img.png();
  else if (format === 'webp') img = img.webp({ lossless: true });
  else img = img.jpeg({ quality: 100 });
  if (orientation) img = img.withMetadata({ orientation });
  mkdirSync(join(file, '..'), { recursive: true });
  await img.toFile(file);
}

/** A COCO image entry plus the annotations on it, as tests write them. */
export interface FixtureImage {
  id: number;
  width: number;
  height: number;
  /** COCO annotations without ids: bbox [x, y, w, h], category_id, optional iscrowd. */
  anns: Array<{ bbox: number[]; category_id: number; iscrowd?: number; area?: number }>;
  /** Write no file for this image. */
  missing?: boolean;
}

/**
 * Writes `root/annotations/ann.json` and `root/images/<id>.png` for `images`, with `categories` (default: cats
 * 1 'cat', 2 'dog', 3 'bird'); returns the root.
 */
export async function writeCocoFixture(
  images: FixtureImage[],
  categories = [
    { id: 1, name: 'cat' },
    { id: 2, name: 'dog' },
    { id: 3, name: 'bird' },
  ],
  root = tempDir(),
): Promise<string> {
  let annId = 1;
  const coco = {
    images: images.map((im) => ({ id: im.id, file_name: `${im.id}.png`, width: im.width, height: im.height })),
    annotations: images.flatMap((im) =>
      im.anns.map((a) => ({ id: annId++, image_id: im.id, area: a.area ?? a.bbox[2] * a.bbox[3], iscrowd: 0, ...a })),
    ),
    categories,
  };
  mkdirSync(join(root, 'annotations'), { recursive: true });
  writeFileSync(join(root, 'annotations', 'ann.json'), JSON.stringify(coco));
  for (const im of images) if (!im.missing) await writeGradient(join(root, 'images', `${im.id}.png`), im.width, im.height);
  return root;
}
