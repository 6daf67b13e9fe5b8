import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeCocoFixture } from '../__fixtures__/images.js';
import '../index.js';
import { DataLoader } from './data-loader.js';
import type { DetBatch } from '@detlab/tensor';

const pipeline = [
  { type: 'LoadImageFromFile' },
  { type: 'LoadAnnotations', with_bbox: true },
  { type: 'Resize', scale: [24, 16], keep_ratio: true },
  { type: 'RandomFlip', prob: 0.5 },
  { type: 'PackDetInputs' },
];

async function fixtureDataset(n = 10) {
  // Alternate landscape and portrait, one box each, so flips and grouping both show in the batches.
  const root = await writeCocoFixture(
    Array.from({ length: n }, (_, i) => ({ id: i + 1, width: i % 2 ? 12 : 20, height: i % 2 ? 20 : 12, anns: [{ bbox: [1, 1, 5 + i % 4, 4], category_id: 1 }] })),
  );
  return { type: 'CocoDataset', data_root: root, ann_file: 'annotations/ann.json', data_prefix: { img: 'images/' }, pipeline };
}

/** A batch as plain numbers, comparable with toEqual. */
function plain(batch: DetBatch) {
  return {
    ids: batch.data_samples.map((s) => s.metainfo.img_id),
    flips: batch.data_samples.map((s) => s.metainfo.flip),
    boxes: batch.data_samples.map((s) => [...s.gt_instances!.bboxes]),
    pixels: batch.inputs.map((x) => Array.from(x.data.subarray(0, 30))),
    shapes: batch.inputs.map((x) => x.shape),
  };
}

async function epoch(loader: DataLoader, e: number) {
  loader.setEpoch(e);
  const out = [];
  for await (const batch of loader) out.push(plain(batch));
  return out;
}

describe('DataLoader inline', () => {
  it('yields length batches of batch_size, the last one short unless drop_last', async () => {
    const dataset = await fixtureDataset(5);
    const loader = new DataLoader({ dataset, batch_size: 2 });
    expect(loader.length).toBe(3);
    const batches = await epoch(loader, 0);
    expect(batches.map((b) => b.ids)).toEqual([[1, 2], [3, 4], [5]]);
    expect((await epoch(new DataLoader({ dataset, batch_size: 2, drop_last: true }), 0)).length).toBe(2);
  });

  it('shuffles per epoch and repeats an epoch exactly for the same seed', async () => {
    const dataset = await fixtureDataset(10);
    const make = (seed: number) => new DataLoader({ dataset, batch_size: 3, seed, sampler: { type: 'DefaultSampler', shuffle: true } });
    const a = make(4);
    const e0 = await epoch(a, 0);
    expect(await epoch(a, 0)).toEqual(e0);
    expect(await epoch(make(4), 0)).toEqual(e0);
    expect((await epoch(a, 1)).map((b) => b.ids)).not.toEqual(e0.map((b) => b.ids));
    expect((await epoch(make(5), 0)).map((b) => b.ids)).not.toEqual(e0.map((b) => b.ids));
  });

  it('groups orientations with AspectRatioBatchSampler', async () => {
    const loader = new DataLoader({ dataset: await fixtureDataset(8), batch_size: 2, batch_sampler: { type: 'AspectRatioBatchSampler' } });
    for (const b of await epoch(loader, 0)) expect(new Set(b.shapes.map(([h, w]) => h > w)).size).toBe(1);
  });

  it('names the config path of a bad dataset option', () => {
    expect(() => new DataLoader({ dataset: { type: 'CocoDataset' } }, 'train_dataloader')).toThrow(/train_dataloader\.dataset\.ann_file: required/);
  });

  it('refuses workers for a dataset it cannot rebuild', () => {
    class InMemory {
      readonly length = 1;
      readonly metainfo = { classes: ['a'] };
      getDataInfo = () => ({ img_id: 0, img_path: '', width: 1, height: 1, instances: [] });
      get = () => Promise.reject(new Error('unused'));
    }
    expect(() => new DataLoader({ dataset: new InMemory(), num_workers: 1 })).toThrow('DataLoader: num_workers 1 needs a dataset that workers can rebuild, but InMemory has no config');
  });
});

describe('DataLoader with workers', { timeout: 120_000 }, () => {
  it('yields the same batches as inline for the same seed, over two epochs, with persistent workers', async () => {
    const dataset = await fixtureDataset(10);
    const options = { dataset, batch_size: 3, seed: 9, sampler: { type: 'DefaultSampler', shuffle: true } };
    const inline = new DataLoader(options);
    const workers = new DataLoader({ ...options, num_workers: 2, persistent_workers: true, prefetch_factor: 1 });
    try {
      for (const e of [0, 1]) expect(await epoch(workers, e)).toEqual(await epoch(inline, e));
    } finally {
      await workers.close();
    }
  });

  it('stops cleanly when the loop breaks early, and reports a worker-side error with the image', async () => {
    const dataset = await fixtureDataset(6);
    const loader = new DataLoader({ dataset, batch_size: 2, num_workers: 1 });
    for await (const batch of loader) {
      expect(batch.inputs).toHaveLength(2);
      break;
    }
    const broken = new DataLoader({ dataset: { ...dataset, data_prefix: { img: 'nowhere/' } }, batch_size: 2, num_workers: 1 });
    // The first batch's two images load concurrently: either may be the one reported, with its own id.
    await expect(epoch(broken, 0)).rejects.toThrow(/DataLoader worker 0: LoadImageFromFile: cannot read image .*nowhere\/([12])\.png \(img_id \1\)/);
  });

  it('fails every batch with the reason when a worker cannot build the dataset', async () => {
    const loader = new DataLoader({ dataset: await fixtureDataset(2), num_workers: 1, worker_imports: ['detlab-no-such-plugin'] });
    await expect(epoch(loader, 0)).rejects.toThrow(/DataLoader worker 0 could not build the dataset: .*detlab-no-such-plugin/);
  });
});

describe('DataLoader process exit', { timeout: 120_000 }, () => {
  it('lets the process exit after an epoch even when persistent workers were never closed', () => {
    const bootstrap = fileURLToPath(new URL('../../../core/src/utils/source-mode/bootstrap.mjs', import.meta.url));
    const script = new URL('../__fixtures__/unclosed-loader.ts', import.meta.url).href;
    const started = performance.now();
    const run = spawnSync(process.execPath, [bootstrap, script], { encoding: 'utf8', timeout: 90_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('done 3');
    expect(run.status).toBe(0);
    expect(performance.now() - started).toBeLessThan(90_000);
  });
});
