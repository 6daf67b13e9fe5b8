import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../__fixtures__/images.js';
import { MNIST_DET_MARKER, ensureMnistDet, ensureMnistDetSync, readMnistDetMarker } from './ensure-mnist-det.js';

const tiny = { num_train: 4, num_val: 2 };

describe('ensureMnistDet', { timeout: 60_000 }, () => {
  it('makes the dataset when missing, with the marker, and leaves a complete one alone', async () => {
    const root = join(tempDir(), 'data', 'mnist_det');
    const first = await ensureMnistDet(root, tiny);
    expect(first.made).toBe(true);
    expect(readMnistDetMarker(root)?.images).toEqual({ train: 4, val: 2 });
    const stamp = statSync(join(root, MNIST_DET_MARKER)).mtimeMs;
    const second = await ensureMnistDet(root, { ...tiny, seed: 9 });
    expect(second.made).toBe(false);
    expect(statSync(join(root, MNIST_DET_MARKER)).mtimeMs).toBe(stamp);
  });

  it('rebuilds a half-written folder (no marker)', async () => {
    const root = join(tempDir(), 'mnist_det');
    mkdirSync(join(root, 'train'), { recursive: true });
    writeFileSync(join(root, 'train', 'junk.png'), 'partial');
    expect((await ensureMnistDet(root, tiny)).made).toBe(true);
    expect(existsSync(join(root, 'train', 'junk.png'))).toBe(false);
    expect(existsSync(join(root, 'train', '000003.png'))).toBe(true);
  });

  it('replaces a copy made with other options only when asked', async () => {
    const root = join(tempDir(), 'mnist_det');
    await ensureMnistDet(root, tiny);
    expect((await ensureMnistDet(root, { ...tiny, num_val: 3 })).made).toBe(false);
    expect((await ensureMnistDet(root, { ...tiny, num_val: 3 }, { rebuild_if_different: true })).made).toBe(true);
    expect(JSON.parse(readFileSync(join(root, MNIST_DET_MARKER), 'utf8')).images.val).toBe(3);
  });

  it('ends with one complete copy when two makers race', async () => {
    const root = join(tempDir(), 'mnist_det');
    const results = await Promise.all([ensureMnistDet(root, tiny), ensureMnistDet(root, tiny)]);
    expect(results.filter((r) => r.made).length).toBeGreaterThanOrEqual(1);
    expect(readMnistDetMarker(root)).toBeDefined();
  });
});

describe('ensureMnistDetSync', { timeout: 120_000 }, () => {
  it('makes it from synchronous code through a worker', () => {
    const root = join(tempDir(), 'nested', 'mnist_det');
    const { made, summary } = ensureMnistDetSync(root, tiny);
    expect(made).toBe(true);
    expect(summary.images.train).toBe(4);
    expect(ensureMnistDetSync(root, tiny).made).toBe(false);
  });
});
