import { describe, expect, it } from 'vitest';
import { LoadAnnotations } from './load-annotations.js';


describe('LoadAnnotations', () => {
  it('turns instances into box, label and ignore-flag arrays', () => {
    const r = new LoadAnnotations({ with_bbox: true }).transform(
      {
        instances: [
          { bbox: [1, 2, 3, 4], bbox_label: 2, ignore_flag: 0 },
          { bbox: [5, 6, 7, 8], bbox_label: 0, ignore_flag: 1 },
        ],
      });
    expect([...r.gt_bboxes!]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...r.gt_bboxes_labels!]).toEqual([2, 0]);
    expect([...r.gt_ignore_flags!]).toEqual([0, 1]);
  });

  it('gives empty arrays for an image without instances', () => {
    const r = new LoadAnnotations().transform({});
    expect(r.gt_bboxes!.length).toBe(0);
    expect(r.gt_bboxes_labels!.length).toBe(0);
  });

  it('accepts with_mask: false from mmdet configs but not true', () => {
    expect(() => new LoadAnnotations({ with_mask: false })).not.toThrow();
    expect(() => new LoadAnnotations({ with_mask: true } as never)).toThrow(/LoadAnnotations.with_mask: expected false, got true/);
  });
});
