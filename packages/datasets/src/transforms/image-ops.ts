/**
 * Pixel operations on HWC images held in typed arrays: resize (as OpenCV's), flip and pad.
 *
 * They follow cv2, which mmcv calls, so a pipeline ported from mmdet sees the same pixels up to rounding:
 * bilinear resize samples at half-pixel centres (`src = (dst + 0.5) · in/out − 0.5`, clamped at the borders),
 * nearest picks `floor(dst · in/out)`. cv2 computes 8-bit bilinear in 11-bit fixed point; here it is float
 * rounded to nearest, so a value may differ by 1.
 *
 * @example
 * const out = resizeImage(img, [480, 640], [800, 1067], 'bilinear'); // HWC, 800·1067·3 values
 */

/**
 * An HWC image of any channel count.
 *
 * @example
 * const img: Pixels = new Uint8Array(4 * 6 * 3); // h 4, w 6, 3 channels
 */
export type Pixels = Uint8Array | Float32Array;

/**
 * Interpolations `Resize` supports.
 *
 * @example
 * { type: 'Resize', scale: [1333, 800], keep_ratio: true, interpolation: 'nearest' }
 */
export type Interpolation = 'bilinear' | 'nearest';

/**
 * `img` ([h, w] = `from`, `channels` per pixel) resized to `to` = [h', w']; same array type as the input.
 *
 * @example
 * resizeImage(Uint8Array.of(0, 0, 0, 255, 255, 255), [1, 2], [1, 4], 'bilinear', 3); // 4 pixels: 0, 64, 191, 255
 */
export function resizeImage(img: Pixels, from: [number, number], to: [number, number], interpolation: Interpolation, channels = 3): Pixels {
  const [h, w] = from;
  const [oh, ow] = to;
  if (oh === h && ow === w) return img;
  const out = img instanceof Uint8Array ? new Uint8Array(oh * ow * channels) : new Float32Array(oh * ow * channels);
  if (interpolation === 'nearest') {
    const xs = Array.from({ length: ow }, (_, x) => Math.min(Math.floor((x * w) / ow), w - 1) * channels);
    for (let y = 0; y < oh; y += 1) {
      const row = Math.min(Math.floor((y * h) / oh), h - 1) * w * channels;
      for (let x = 0, o = y * ow * channels; x < ow; x += 1) {
        for (let c = 0; c < channels; c += 1, o += 1) out[o] = img[row + xs[x] + c];
      }
    }
    return out;
  }
  const xTaps = linearTaps(w, ow);
  const yTaps = linearTaps(h, oh);
  const round = img instanceof Uint8Array;
  for (let y = 0; y < oh; y += 1) {
    const r0 = yTaps.i0[y] * w * channels;
    const r1 = yTaps.i1[y] * w * channels;
    const fy = yTaps.f[y];
    for (let x = 0, o = y * ow * channels; x < ow; x += 1) {
      const c0 = xTaps.i0[x] * channels;
      const c1 = xTaps.i1[x] * channels;
      const fx = xTaps.f[x];
      for (let c = 0; c < channels; c += 1, o += 1) {
        const top = img[r0 + c0 + c] + (img[r0 + c1 + c] - img[r0 + c0 + c]) * fx;
        const bottom = img[r1 + c0 + c] + (img[r1 + c1 + c] - img[r1 + c0 + c]) * fx;
        const v = top + (bottom - top) * fy;
        // Uint8Array assignment truncates; add 0.5 to round (v >= 0 here).
        out[o] = round ? v + 0.5 : v;
      }
    }
  }
  return out;
}

/**
 * `img` mirrored along `direction` (new array): horizontal reverses columns, vertical rows, diagonal both.
 *
 * @example
 * flipImage(Uint8Array.of(1, 2, 3, 4, 5, 6), [1, 2], 'horizontal', 3); // 4, 5, 6, 1, 2, 3
 */
export function flipImage(img: Pixels, shape: [number, number], direction: 'horizontal' | 'vertical' | 'diagonal', channels = 3): Pixels {
  const [h, w] = shape;
  const out = img instanceof Uint8Array ? new Uint8Array(img.length) : new Float32Array(img.length);
  const flipX = direction !== 'vertical';
  const flipY = direction !== 'horizontal';
  const rowLength = w * channels;
  for (let y = 0; y < h; y += 1) {
    const src = (flipY ? h - 1 - y : y) * rowLength;
    const dst = y * rowLength;
    if (!flipX) {
      out.set(img.subarray(src, src + rowLength), dst);
      continue;
    }
    for (let x = 0; x < w; x += 1) {
      const s = src + (w - 1 - x) * channels;
      for (let c = 0; c < channels; c += 1) out[dst + x * channels + c] = img[s + c];
    }
  }
  return out;
}

/**
 * `img` padded at the bottom and right to `to` = [h', w'] (each ≥ the image's) with `value` per channel.
 *
 * @example
 * padImage(Uint8Array.of(9, 9, 9), [1, 1], [1, 2], [0, 0, 0], 3); // 9, 9, 9, 0, 0, 0
 */
export function padImage(img: Pixels, shape: [number, number], to: [number, number], value: readonly number[], channels = 3): Pixels {
  const [h, w] = shape;
  const [ph, pw] = to;
  if (ph === h && pw === w) return img;
  const out = img instanceof Uint8Array ? new Uint8Array(ph * pw * channels) : new Float32Array(ph * pw * channels);
  if (value.some((v) => v !== 0)) {
    for (let i = 0; i < ph * pw; i += 1) for (let c = 0; c < channels; c += 1) out[i * channels + c] = value[c];
  }
  for (let y = 0; y < h; y += 1) out.set(img.subarray(y * w * channels, (y + 1) * w * channels), y * pw * channels);
  return out;
}

/** For each output index along one axis: the two source indices and the weight of the second (cv2 rules). */
function linearTaps(size: number, outSize: number): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const f = new Float64Array(outSize);
  const scale = size / outSize;
  for (let d = 0; d < outSize; d += 1) {
    const s = (d + 0.5) * scale - 0.5;
    let s0 = Math.floor(s);
    let frac = s - s0;
    if (s0 < 0) {
      s0 = 0;
      frac = 0;
    }
    if (s0 >= size - 1) {
      s0 = size - 1;
      frac = 0;
    }
    i0[d] = s0;
    i1[d] = Math.min(s0 + 1, size - 1);
    f[d] = frac;
  }
  return { i0, i1, f };
}
