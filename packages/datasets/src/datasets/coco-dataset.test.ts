import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DATASETS } from '@detlab/core';
import { writeCocoFixture } from '../__fixtures__/images.js';
import '../transforms/index.js';
import { CocoDataset } from './coco-dataset.js';

const pipeline = [{ type: 'LoadImageFromFile' }, { type: 'LoadAnnotations', with_bbox: true }, { type: 'PackDetInputs' }];
const cats = [
  { id: 1, name: 'cat' },
  { id: 5, name: 'dog' },
  { id: 9, name: 'bird' },
];

async function fixture() {
  return writeCocoFixture(
    [
      { id: 10, width: 40, height: 30, anns: [{ bbox: [1, 2, 10, 10], category_id: 5 }, { bbox: [5, 5, 4, 4], category_id: 9 }] },
      { id: 11, width: 30, height: 40, anns: [{ bbox: [0, 0, 8, 8], category_id: 1 }] },
      { id: 12, width: 20, height: 20, anns: [] },
      { id: 13, width: 60, height: 8, anns: [{ bbox: [0, 0, 5, 5], category_id: 1 }] },
    ],
    cats,
  );
}

const options = (root: string, extra: Record<string, unknown> = {}) => ({
  data_root: root,
  ann_file: 'annotations/ann.json',
  data_prefix: { img: 'images/' },
  pipeline,
  ...extra,
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('CocoDataset', () => {
  it('loads every image and maps category ids to labels in file order', async () => {
    const root = await fixture();
    const ds = new CocoDataset(options(root));
    expect(ds.length).toBe(4);
    expect(ds.metainfo.classes).toEqual(['cat', 'dog', 'bird']);
    expect(ds.catIds).toEqual([1, 5, 9]);
    expect(ds.cat2label.get(9)).toBe(2);
    const info = ds.getDataInfo(0);
    expect(info.img_path).toBe(join(root, 'images', '10.png'));
    expect(info.instances).toEqual([
      { bbox: [1, 2, 11, 12], bbox_label: 1, ignore_flag: 0 },
      { bbox: [5, 5, 9, 9], bbox_label: 2, ignore_flag: 0 },
    ]);
  });

  it('selects classes by name, in the order given, and leaves out the others', async () => {
    const root = await fixture();
    const ds = new CocoDataset(options(root, { metainfo: { classes: ['dog', 'cat'] } }));
    expect(ds.catIds).toEqual([5, 1]);
    expect(ds.getDataInfo(0).instances).toEqual([{ bbox: [1, 2, 11, 12], bbox_label: 0, ignore_flag: 0 }]);
    expect(ds.getDataInfo(1).instances[0].bbox_label).toBe(1);
  });

  it('names an unknown class and suggests the closest category', async () => {
    const root = await fixture();
    expect(() => new CocoDataset(options(root, { metainfo: { classes: ['dgo'] } }))).toThrow(/metainfo.classes: 'dgo' is not a category of .*ann\.json\. Did you mean 'dog'\?/);
  });

  it('filters empty and small images outside test mode only', async () => {
    const root = await fixture();
    const filtered = new CocoDataset(options(root, { filter_cfg: { filter_empty_gt: true, min_size: 10 } }));
    expect(Array.from({ length: filtered.length }, (_, i) => filtered.getDataInfo(i).img_id)).toEqual([10, 11]);
    expect(filtered.stats.filtered_images).toBe(2);
    const test = new CocoDataset(options(root, { filter_cfg: { filter_empty_gt: true, min_size: 10 }, test_mode: true }));
    expect(test.length).toBe(4);
  });

  it('treats an image whose classes were all deselected as empty', async () => {
    const root = await fixture();
    const ds = new CocoDataset(options(root, { metainfo: { classes: ['bird'] }, filter_cfg: { filter_empty_gt: true } }));
    expect(ds.length).toBe(1);
  });

  it('runs the pipeline into { input, data_sample } with labels and crowds split', async () => {
    const root = await writeCocoFixture(
      [{ id: 1, width: 16, height: 8, anns: [{ bbox: [0, 0, 4, 4], category_id: 1 }, { bbox: [4, 0, 4, 4], category_id: 2, iscrowd: 1 }] }],
    );
    const ds = new CocoDataset(options(root));
    const { input, data_sample: s } = await ds.get(0);
    expect(input.shape).toEqual([8, 16, 3]);
    expect([...s.gt_instances!.labels]).toEqual([0]);
    expect([...s.ignored_instances!.bboxes]).toEqual([4, 0, 8, 4]);
    expect(ds.stats.crowd).toBe(1);
    expect(s.metainfo.img_id).toBe(1);
  });

  it('clips out-of-image boxes, drops unknown categories and degenerate boxes, counts each and warns once', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const root = await writeCocoFixture([
      {
        id: 1,
        width: 20,
        height: 10,
        anns: [
          { bbox: [-5, 2, 10, 4], category_id: 1 }, // clipped to [0, 2, 5, 6]
          { bbox: [15, 5, 10, 10], category_id: 2 }, // clipped to [15, 5, 20, 10]
          { bbox: [1, 1, 3, 3], category_id: 42 }, // unknown category
          { bbox: [2, 2, 0, 5], category_id: 1 }, // zero width
          { bbox: [30, 2, 5, 5], category_id: 1 }, // wholly outside
          { bbox: [2, 2, -3, 5], category_id: 1 }, // negative width
          { bbox: [2, 2, 'x', 5] as never, category_id: 1 }, // malformed
        ],
      },
    ]);
    const ds = new CocoDataset(options(root));
    expect(ds.getDataInfo(0).instances.map((i) => i.bbox)).toEqual([
      [0, 2, 5, 6],
      [15, 5, 20, 10],
    ]);
    expect(ds.stats).toMatchObject({ clipped_boxes: 2, unknown_category: 1, empty_boxes: 2, invalid_boxes: 2 });
    const warnings = stderr.mock.calls.map((c) => String(c[0])).filter((line) => line.includes('CocoDataset'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('1 annotations with an unknown category_id dropped; 2 malformed or negative-size boxes dropped; 2 boxes clipped to their image');
  });

  it('fails on malformed JSON with the file, line and column', async () => {
    const root = await fixture();
    writeFileSync(join(root, 'annotations', 'ann.json'), '{"images": [\n  {"id": 1,, "file_name": "a.png"}\n]}');
    expect(() => new CocoDataset(options(root))).toThrow(`${join(root, 'annotations', 'ann.json')}:2:12: malformed JSON`);
  });

  it('names the entry of a structurally wrong file', async () => {
    const root = await fixture();
    writeFileSync(join(root, 'annotations', 'ann.json'), JSON.stringify({ images: [{ id: 1, file_name: 'a.png', width: 'wide', height: 3 }], categories: [] }));
    expect(() => new CocoDataset(options(root))).toThrow(/ann\.json: images\[0\]\.width: expected a positive number, got 'wide'/);
  });

  it('names the file and image id of a missing image when loading it', async () => {
    const root = await writeCocoFixture([{ id: 7, width: 4, height: 4, anns: [], missing: true }]);
    const ds = new CocoDataset(options(root));
    await expect(ds.get(0)).rejects.toThrow(`cannot read image ${join(root, 'images', '7.png')} (img_id 7): the file does not exist`);
  });

  it('skips and counts images whose file is missing with skip_missing', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const root = await writeCocoFixture([
      { id: 1, width: 4, height: 4, anns: [] },
      { id: 2, width: 4, height: 4, anns: [], missing: true },
      { id: 3, width: 4, height: 4, anns: [], missing: true },
    ]);
    const ds = new CocoDataset(options(root, { skip_missing: true }));
    expect(ds.length).toBe(1);
    expect(ds.stats.missing_images).toBe(2);
    await expect(ds.get(0)).resolves.toBeDefined();
  });

  it('draws the same augmentation for the same (seed, epoch, index) and another for another epoch', async () => {
    const root = await writeCocoFixture(Array.from({ length: 1 }, (_, i) => ({ id: i + 1, width: 8, height: 8, anns: [{ bbox: [0, 0, 2, 2], category_id: 1 }] })));
    const ds = new CocoDataset(options(root, { pipeline: [{ type: 'LoadImageFromFile' }, { type: 'RandomFlip', prob: 0.5 }, { type: 'PackDetInputs' }] }));
    const flips = async (epoch: number) => Promise.all(Array.from({ length: 16 }, async (_, e) => (await ds.get(0, { seed: 3, epoch: epoch * 100 + e })).data_sample.metainfo.flip));
    expect(await flips(0)).toEqual(await flips(0));
    expect(await flips(0)).not.toEqual(await flips(1));
  });

  it('is built by name, validating pipeline entries with their config path, and keeps a config to rebuild it', async () => {
    const root = await fixture();
    const built = DATASETS.build<CocoDataset>({ type: 'CocoDataset', ...options(root) });
    expect(built.config).toMatchObject({ type: 'CocoDataset', ann_file: 'annotations/ann.json', pipeline });
    expect(() => DATASETS.build({ type: 'CocoDataset', ...options(root, { pipeline: [{ type: 'Resize', scale: -1 }] }) }, { path: 'train_dataloader.dataset' })).toThrow(
      /train_dataloader\.dataset\.pipeline\.0\.scale/,
    );
  });

  it('rejects an out-of-range index', async () => {
    const ds = new CocoDataset(options(await fixture()));
    expect(() => ds.getDataInfo(4)).toThrow('CocoDataset: index 4 is out of range: the dataset has 4 images');
  });
});
