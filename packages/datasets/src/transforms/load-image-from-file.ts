/**
 * Loads `results.img_path` with sharp (JPEG, PNG, WebP, and whatever else libvips reads); mirrors mmcv
 * `LoadImageFromFile` (`mmcv/transforms/loading.py`).
 *
 * EXIF orientation is applied (sharp's `rotate()`), so `ori_shape` is the upright size, as cv2's
 * IMREAD_COLOR gives. Alpha is dropped and grey images are expanded, so every image has 3 channels, in BGR
 * order by default as OpenCV loads them (`channel_order: 'rgb'` skips the swap). `color_type: 'grayscale'`
 * loads luminance and repeats it in the 3 channels (mmcv keeps one channel; detlab's `DetInputs` are always 3).
 * A missing or unreadable file fails with its path and image id.
 *
 * @example
 * { type: 'LoadImageFromFile', to_float32: false, color_type: 'color', channel_order: 'bgr' }
 */
import sharp from 'sharp';
import { z } from 'zod';
import { DetlabError, TRANSFORMS, parseOptions } from '@detlab/core';
import { need, type Transform, type TransformResults } from './transform.js';

/**
 * Options of `LoadImageFromFile`, keys as mmcv's.
 *
 * @example
 * loadImageFromFileSchema.parse({ to_float32: true }); // { to_float32: true, color_type: 'color', channel_order: 'bgr', ... }
 */
export const loadImageFromFileSchema = z.strictObject({
  /** Convert pixels to Float32Array (values still 0..255). */
  to_float32: z.boolean().default(false),
  color_type: z.enum(['color', 'grayscale']).default('color'),
  /** detlab's addition: mmcv always yields BGR from cv2. */
  channel_order: z.enum(['bgr', 'rgb']).default('bgr'),
  /** Accepted for mmdet configs; sharp decodes every format, whatever backend is named. */
  imdecode_backend: z.enum(['cv2', 'turbojpeg', 'pillow', 'tifffile']).default('cv2'),
  /** Only local files are read; mmdet configs pass `backend_args: None`. */
  backend_args: z.null().optional(),
});

/**
 * Options of `LoadImageFromFile`.
 *
 * @example
 * const options: LoadImageFromFileOptions = { channel_order: 'rgb' };
 */
export type LoadImageFromFileOptions = z.input<typeof loadImageFromFileSchema>;

/**
 * Loads an image file into `img` (HWC, 3 channels) and sets `img_shape` and `ori_shape`; see the file comment.
 *
 * @example
 * pipeline: [{ type: 'LoadImageFromFile' }, { type: 'LoadAnnotations', with_bbox: true }]
 */
@TRANSFORMS.register({ name: 'LoadImageFromFile', schema: loadImageFromFileSchema, description: 'Load an image file with sharp (EXIF-rotated, BGR by default)' })
export class LoadImageFromFile implements Transform {
  readonly options: z.output<typeof loadImageFromFileSchema>;

  constructor(options: LoadImageFromFileOptions = {}) {
    this.options = parseOptions(loadImageFromFileSchema, options, 'LoadImageFromFile') as z.output<typeof loadImageFromFileSchema>;
  }

  async transform(results: TransformResults): Promise<TransformResults> {
    const path = need(results, 'img_path', 'LoadImageFromFile', 'a dataset that sets img_path');
    const { data, width, height } = await decode(path, this.options.color_type, results.img_id);
    const img = toThreeChannels(data, width * height, this.options.color_type === 'grayscale' ? 1 : 3, this.options.channel_order === 'bgr');
    results.img = this.options.to_float32 ? Float32Array.from(img) : img;
    results.img_shape = [height, width];
    results.ori_shape = [height, width];
    return results;
  }
}

async function decode(path: string, colorType: 'color' | 'grayscale', imgId: number | undefined): Promise<{ data: Buffer; width: number; height: number }> {
  const oriented = sharp(path).rotate(); // no angle: apply the EXIF orientation, then drop the tag
  const converted = colorType === 'grayscale' ? oriented.removeAlpha().grayscale() : oriented.removeAlpha().toColourspace('srgb');
  try {
    const { data, info } = await converted.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch (error) {
    const id = imgId === undefined ? '' : ` (img_id ${imgId})`;
    const missing = /missing|does not exist|no such file/i.test((error as Error).message);
    throw new DetlabError(`LoadImageFromFile: cannot read image ${path}${id}: ${missing ? 'the file does not exist' : (error as Error).message}`, {
      hint: missing
        ? 'Check data_root and data_prefix.img, or set skip_missing: true on the dataset to skip images whose file is missing.'
        : undefined,
      cause: error,
    });
  }
}

/** A fresh 3-channel copy of `src` (so its buffer can be transferred), grey repeated, RGB swapped to BGR if asked. */
function toThreeChannels(src: Uint8Array, pixels: number, channels: 1 | 3, bgr: boolean): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  if (channels === 1) {
    for (let i = 0; i < pixels; i += 1) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = src[i];
  } else if (bgr) {
    for (let i = 0; i < pixels * 3; i += 3) {
      out[i] = src[i + 2];
      out[i + 1] = src[i + 1];
      out[i + 2] = src[i];
    }
  } else out.set(src.subarray(0, pixels * 3));
  return out;
}
