import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, writeGradient } from '../__fixtures__/images.js';
import { LoadImageFromFile } from './load-image-from-file.js';

const dir = tempDir();

/** Pixel (x, y) of an HWC 3-channel image of width w. */
const px = (img: ArrayLike<number>, w: number, x: number, y: number) => [img[(y * w + x) * 3], img[(y * w + x) * 3 + 1], img[(y * w + x) * 3 + 2]];

describe('LoadImageFromFile', () => {
  it('loads PNG as BGR by default, with img_shape and ori_shape [h, w]', async () => {
    const file = join(dir, 'a.png');
    await writeGradient(file, 6, 4);
    const r = await new LoadImageFromFile().transform({ img_path: file });
    expect(r.img_shape).toEqual([4, 6]);
    expect(r.ori_shape).toEqual([4, 6]);
    expect(r.img).toBeInstanceOf(Uint8Array);
    expect(px(r.img!, 6, 5, 3)).toEqual([7, 3, 5]); // RGB (5, 3, 7) stored as BGR
  });

  it('keeps RGB with channel_order rgb and converts to float32', async () => {
    const file = join(dir, 'b.webp');
    await writeGradient(file, 5, 3, 'webp');
    const r = await new LoadImageFromFile({ channel_order: 'rgb', to_float32: true }).transform({ img_path: file });
    expect(r.img).toBeInstanceOf(Float32Array);
    expect(px(r.img!, 5, 4, 2)).toEqual([4, 2, 7]);
  });

  it('applies the EXIF orientation of a JPEG', async () => {
    const file = join(dir, 'rotated.jpg');
    await writeGradient(file, 8, 4, 'jpeg', 6); // orientation 6: display rotated 90° clockwise
    const r = await new LoadImageFromFile().transform({ img_path: file });
    expect(r.img_shape).toEqual([8, 4]);
  });

  it('repeats luminance in 3 channels for grayscale', async () => {
    const file = join(dir, 'g.png');
    await writeGradient(file, 4, 4);
    const r = await new LoadImageFromFile({ color_type: 'grayscale' }).transform({ img_path: file });
    const [b, g, red] = px(r.img!, 4, 3, 3);
    expect(b).toBe(g);
    expect(g).toBe(red);
    expect(r.img!.length).toBe(4 * 4 * 3);
  });

  it('names the file and the image id when the file is missing', async () => {
    const file = join(dir, 'nope.png');
    await expect(new LoadImageFromFile().transform({ img_path: file, img_id: 17 })).rejects.toThrow(
      `LoadImageFromFile: cannot read image ${file} (img_id 17): the file does not exist`,
    );
  });

  it('rejects unknown options with the known keys', () => {
    expect(() => new LoadImageFromFile({ colour_type: 'color' } as never)).toThrow(/LoadImageFromFile.colour_type: unknown key/);
  });
});
