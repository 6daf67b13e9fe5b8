import { describe, expect, it } from 'vitest';
import { PackDetInputs } from './pack-det-inputs.js';

const results = () => ({
  img_id: 3,
  img_path: 'x.png',
  img: new Uint8Array(2 * 4 * 3),
  img_shape: [2, 4] as [number, number],
  ori_shape: [1, 2] as [number, number],
  scale_factor: [2, 2] as [number, number],
  flip: false,
  flip_direction: null,
  keep_ratio: true,
  gt_bboxes: Float32Array.of(0, 0, 1, 1, 1, 1, 2, 2, 2, 0, 4, 2),
  gt_bboxes_labels: Int32Array.of(0, 1, 2),
  gt_ignore_flags: Uint8Array.of(0, 1, 0),
});

describe('PackDetInputs', () => {
  it('packs the image as input [h, w, 3] and splits crowd instances into ignored_instances', () => {
    const { input, data_sample: s } = new PackDetInputs().transform(results());
    expect(input.shape).toEqual([2, 4, 3]);
    expect([...s.gt_instances!.bboxes]).toEqual([0, 0, 1, 1, 2, 0, 4, 2]);
    expect([...s.gt_instances!.labels]).toEqual([0, 2]);
    expect([...s.ignored_instances!.bboxes]).toEqual([1, 1, 2, 2]);
    expect([...s.ignored_instances!.labels!]).toEqual([1]);
  });

  it('keeps mmdet’s default meta keys that are present, and no others', () => {
    const { data_sample: s } = new PackDetInputs().transform(results());
    expect(s.metainfo).toEqual({
      img_id: 3,
      img_path: 'x.png',
      ori_shape: [1, 2],
      img_shape: [2, 4],
      scale_factor: [2, 2],
      flip: false,
      flip_direction: null,
    });
  });

  it('honours meta_keys and fills scale_factor [1, 1] when nothing resized', () => {
    const r = { ...results(), scale_factor: undefined, img_shape: [2, 4] as [number, number] };
    const { data_sample: s } = new PackDetInputs({ meta_keys: ['img_id', 'img_shape'] }).transform(r);
    expect(s.metainfo).toEqual({ img_id: 3, img_shape: [2, 4], scale_factor: [1, 1], ori_shape: [1, 2] });
  });

  it('gives every array its own buffer, so it can be transferred', () => {
    const { data_sample: s } = new PackDetInputs().transform(results());
    expect(s.gt_instances!.bboxes.buffer).not.toBe(s.ignored_instances!.bboxes.buffer);
    expect(s.gt_instances!.bboxes.byteOffset).toBe(0);
  });

  it('leaves gt_instances out when no annotations were loaded', () => {
    const { data_sample: s } = new PackDetInputs().transform({ img: new Uint8Array(3), img_shape: [1, 1] });
    expect(s.gt_instances).toBeUndefined();
  });
});
