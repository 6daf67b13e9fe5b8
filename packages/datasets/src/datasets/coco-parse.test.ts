import { describe, expect, it } from 'vitest';
import { parseCoco } from './coco-parse.js';

const categories = [
  { id: 3, name: 'a' },
  { id: 1, name: 'b' },
];
const image = (id: number) => ({ id, file_name: `${id}.jpg`, width: 10, height: 10 });

describe('parseCoco', () => {
  it('joins the image prefix and keeps the file order of categories as labels', () => {
    const parsed = parseCoco({ images: [image(1)], annotations: [{ image_id: 1, category_id: 1, bbox: [0, 0, 2, 2] }], categories }, { file: 'f.json', imgPrefix: 'imgs' });
    expect(parsed.dataList[0].img_path).toBe('imgs/1.jpg');
    expect(parsed.catIds).toEqual([3, 1]);
    expect(parsed.dataList[0].instances[0].bbox_label).toBe(1);
  });

  it('counts annotations of unknown images and skips those marked ignore', () => {
    const parsed = parseCoco(
      {
        images: [image(1)],
        annotations: [
          { image_id: 2, category_id: 1, bbox: [0, 0, 2, 2] },
          { image_id: 1, category_id: 1, bbox: [0, 0, 2, 2], ignore: true },
        ],
        categories,
      },
      { file: 'f.json', imgPrefix: '' },
    );
    expect(parsed.stats.unknown_image).toBe(1);
    expect(parsed.dataList[0].instances).toEqual([]);
  });

  it('drops a box whose recorded area is not positive, as mmdet does', () => {
    const parsed = parseCoco({ images: [image(1)], annotations: [{ image_id: 1, category_id: 1, bbox: [0, 0, 2, 2], area: 0 }], categories }, { file: 'f.json', imgPrefix: '' });
    expect(parsed.stats.empty_boxes).toBe(1);
  });

  it('accepts a file without annotations (a test split)', () => {
    expect(parseCoco({ images: [image(1)], categories }, { file: 'f.json', imgPrefix: '' }).dataList).toHaveLength(1);
  });

  it('rejects a missing categories list, duplicate image ids and a non-object file, naming the file', () => {
    expect(() => parseCoco({ images: [] }, { file: 'f.json', imgPrefix: '' })).toThrow("f.json: 'categories' must be a list, got nothing");
    expect(() => parseCoco({ images: [image(1), image(1)], categories }, { file: 'f.json', imgPrefix: '' })).toThrow('f.json: images[1].id: image id 1 appears twice');
    expect(() => parseCoco([], { file: 'f.json', imgPrefix: '' })).toThrow(/^f\.json: expected a COCO object/);
  });
});
