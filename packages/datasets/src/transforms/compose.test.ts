import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRANSFORMS } from '@detlab/core';
import { tempDir, writeGradient } from '../__fixtures__/images.js';
import { sampleRng } from '../utils/rng.js';
import { Compose } from './compose.js';
import './load-annotations.js';
import './load-image-from-file.js';
import './pack-det-inputs.js';
import './resize.js';
import type { PackedDetInputs } from './transform.js';

describe('Compose', () => {
  it('builds configs by name and runs them in order', async () => {
    const dir = tempDir();
    await writeGradient(join(dir, 'a.png'), 8, 4);
    const pipeline = new Compose([
      { type: 'LoadImageFromFile' },
      { type: 'LoadAnnotations', with_bbox: true },
      { type: 'Resize', scale: [16, 16], keep_ratio: true },
      { type: 'PackDetInputs' },
    ]);
    const out = (await pipeline.transform(
      { img_path: join(dir, 'a.png'), img_id: 1, instances: [{ bbox: [0, 0, 4, 2], bbox_label: 0, ignore_flag: 0 }] },
      { rng: sampleRng(0, 0, 0) },
    )) as PackedDetInputs;
    expect(out.input.shape).toEqual([8, 16, 3]);
    expect([...out.data_sample.gt_instances!.bboxes]).toEqual([0, 0, 8, 4]);
  });

  it('names the pipeline entry of a bad config', () => {
    expect(() => new Compose([{ type: 'LoadImageFromFile' }, { type: 'Resise', scale: 10 }])).toThrow(/pipeline\.1\.type: 'Resise' is not in the detlab::transform registry\. Did you mean 'Resize'\?/);
  });

  it('is registered, so a config can nest it', () => {
    const built = TRANSFORMS.build<Compose>({ type: 'Compose', transforms: [{ type: 'PackDetInputs' }] });
    expect(built.transforms).toHaveLength(1);
  });
});
