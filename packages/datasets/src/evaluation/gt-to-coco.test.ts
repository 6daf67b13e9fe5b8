import { describe, expect, it } from 'vitest';
import { gtToCocoJson } from './gt-to-coco.js';

describe('gtToCocoJson', () => {
  it("converts samples' instances as mmdet's gt_to_coco_json: ids from 1, xywh, w × h area, crowd from ignore_flag", () => {
    const coco = gtToCocoJson(
      [
        { img_id: 5, width: 64, height: 48, anns: [{ bbox: [10, 20, 30, 60], bbox_label: 1 }, { bbox: [0, 0, 8, 8], bbox_label: 0, ignore_flag: 1 }] },
        { img_id: 9, width: 64, height: 48, anns: [] },
      ],
      ['cat', 'dog'],
    );
    expect(coco.images).toEqual([{ id: 5, width: 64, height: 48, file_name: '' }, { id: 9, width: 64, height: 48, file_name: '' }]);
    expect(coco.annotations).toEqual([
      { id: 1, image_id: 5, bbox: [10, 20, 20, 40], iscrowd: 0, category_id: 1, area: 800 },
      { id: 2, image_id: 5, bbox: [0, 0, 8, 8], iscrowd: 1, category_id: 0, area: 64 },
    ]);
    expect(coco.categories).toEqual([{ id: 0, name: 'cat' }, { id: 1, name: 'dog' }]);
  });
});
