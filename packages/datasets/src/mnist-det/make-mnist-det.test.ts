import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../__fixtures__/images.js';
import { makeMnistDet } from './make-mnist-det.js';
import { loadMnistDigits } from './mnist-source.js';

const tiny = { num_train: 8, num_val: 4 };

interface Coco {
  images: Array<{ id: number; file_name: string; width: number; height: number }>;
  annotations: Array<{ image_id: number; category_id: number; bbox: number[]; source_index: number }>;
  categories: Array<{ id: number; name: string }>;
}
const read = (root: string, split: string): Coco => JSON.parse(readFileSync(join(root, 'annotations', `${split}.json`), 'utf8')) as Coco;
const files = (root: string, split: string) => readdirSync(join(root, split)).sort().map((f) => readFileSync(join(root, split, f)));

describe('makeMnistDet', { timeout: 60_000 }, () => {
  it('makes identical JSON and identical PNG bytes for the same seed, and other images for another seed', async () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    await makeMnistDet(a, { ...tiny, seed: 3 });
    await makeMnistDet(b, { ...tiny, seed: 3 });
    await makeMnistDet(c, { ...tiny, seed: 4 });
    for (const split of ['train', 'val']) {
      expect(readFileSync(join(a, 'annotations', `${split}.json`), 'utf8')).toBe(readFileSync(join(b, 'annotations', `${split}.json`), 'utf8'));
      const [fa, fb, fc] = [files(a, split), files(b, split), files(c, split)];
      expect(fa).toHaveLength(split === 'train' ? 8 : 4);
      fa.forEach((bytes, i) => expect(bytes.equals(fb[i])).toBe(true));
      expect(fa.some((bytes, i) => !bytes.equals(fc[i]))).toBe(true);
    }
  });

  it('writes COCO with 10 digit classes, 1 to 5 boxes per image of 16..56 px canvases inside 128×128', async () => {
    const root = tempDir();
    const summary = await makeMnistDet(root, { num_train: 30, num_val: 0 });
    const coco = read(root, 'train');
    expect(coco.categories.map((c) => c.name)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(coco.images[0]).toEqual({ id: 1, file_name: '000000.png', width: 128, height: 128 });
    expect(summary.boxes.train).toBe(coco.annotations.length);
    for (const image of coco.images) {
      const n = coco.annotations.filter((a) => a.image_id === image.id).length;
      expect(n >= 1 && n <= 5).toBe(true);
    }
    for (const { bbox: [x, y, w, h] } of coco.annotations) {
      expect(x >= 0 && y >= 0 && x + w <= 128 && y + h <= 128).toBe(true);
      expect(w >= 1 && h >= 1 && Math.max(w, h) <= 56).toBe(true);
    }
  });

  it('never uses a val source digit in train: disjoint indices and no identical pixels', async () => {
    const root = tempDir();
    await makeMnistDet(root, { num_train: 200, num_val: 60 });
    const key = (a: { category_id: number; source_index: number }) => `${a.category_id - 1}:${a.source_index}`;
    const train = new Set(read(root, 'train').annotations.map(key));
    const val = new Set(read(root, 'val').annotations.map(key));
    expect(val.size).toBeGreaterThan(50);
    for (const k of val) expect(train.has(k)).toBe(false);
    // Same check by content, in case two source indices held the same digit.
    const digits = loadMnistDigits();
    const hash = (k: string) => {
      const [d, i] = k.split(':').map(Number);
      return createHash('sha1').update(digits.digit(d, i)).digest('hex');
    };
    const trainHashes = new Set([...train].map(hash));
    for (const k of val) expect(trainHashes.has(hash(k))).toBe(false);
  });

  it('names the option at fault', async () => {
    await expect(makeMnistDet(tempDir(), { min_size: 60 })).rejects.toThrow(/mnist_det.max_size: expected at least min_size \(60\), got 56/);
  });
});
