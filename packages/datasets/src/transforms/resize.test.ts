import { describe, expect, it } from 'vitest';
import { Resize, rescaleSize, scaleSize } from './resize.js';

const image = (h: number, w: number) => ({ img: new Uint8Array(h * w * 3), img_shape: [h, w] as [number, number], ori_shape: [h, w] as [number, number] });

describe('rescaleSize (mmcv rescale rule)', () => {
  it('640×480 under (1333, 800): factor min(1333/640, 800/480) = 1.6667 → 1067×800', () => {
    // 1333/640 = 2.0828, 800/480 = 1.6667: the short side binds. int(640·1.6667 + 0.5) = int(1067.17) = 1067,
    // int(480·1.6667 + 0.5) = int(800.5) = 800.
    expect(rescaleSize([640, 480], [1333, 800])).toEqual([1067, 800]);
  });

  it('lets the long side bind for a wide image, whatever the order of the limits', () => {
    // 2000×500: min(1333/2000 = 0.6665, 800/500 = 1.6) = 0.6665 → int(1333.5) = 1333, int(333.75) = 333.
    expect(rescaleSize([2000, 500], [1333, 800])).toEqual([1333, 333]);
    expect(rescaleSize([2000, 500], [800, 1333])).toEqual([1333, 333]);
  });

  it('rounds half up as int(x + 0.5)', () => {
    expect(scaleSize([5, 3], 0.5)).toEqual([3, 2]); // 2.5 → 3, 1.5 → 2
  });
});

describe('Resize', () => {
  it('keep_ratio: resizes image and boxes, records scale_factor = new / old per axis', () => {
    const r = new Resize({ scale: [1333, 800], keep_ratio: true }).transform(
      { ...image(480, 640), gt_bboxes: Float32Array.of(64, 48, 640, 480) });
    expect(r.img_shape).toEqual([800, 1067]);
    expect(r.img!.length).toBe(800 * 1067 * 3);
    expect(r.scale_factor![0]).toBeCloseTo(1067 / 640, 10); // 1.6671875
    expect(r.scale_factor![1]).toBeCloseTo(800 / 480, 10); // 1.6666667
    expect(r.ori_shape).toEqual([480, 640]);
    const b = [...r.gt_bboxes!];
    expect(b[0]).toBeCloseTo(106.7, 4);
    expect(b[1]).toBeCloseTo(80, 4);
    expect(b[2]).toBeCloseTo(1067, 3);
    expect(b[3]).toBeCloseTo(800, 3);
  });

  it('without keep_ratio stretches to exactly [w, h]', () => {
    const r = new Resize({ scale: [100, 50] }).transform(image(30, 40));
    expect(r.img_shape).toEqual([50, 100]);
    expect(r.scale_factor).toEqual([2.5, 50 / 30]);
  });

  it('resizes by scale_factor', () => {
    const r = new Resize({ scale_factor: 0.5 }).transform(image(30, 41));
    expect(r.img_shape).toEqual([15, 21]); // int(20.5 + 0.5) = 21
  });

  it('clips boxes to the resized image unless clip_object_border is false', () => {
    const box = () => ({ ...image(10, 10), gt_bboxes: Float32Array.of(-2, 0, 12, 5) });
    expect([...new Resize({ scale: [20, 20] }).transform(box()).gt_bboxes!]).toEqual([0, 0, 20, 10]);
    expect([...new Resize({ scale: [20, 20], clip_object_border: false }).transform(box()).gt_bboxes!]).toEqual([-4, 0, 24, 10]);
  });

  it('needs exactly one of scale and scale_factor', () => {
    expect(() => new Resize({})).toThrow(/Resize.scale: expected exactly one of scale and scale_factor/);
  });

  it('says which transform must come first', () => {
    expect(() => new Resize({ scale: 10 }).transform({})).toThrow(/put LoadImageFromFile before Resize/);
  });
});
