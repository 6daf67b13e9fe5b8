/**
 * Drawing one MNIST-Det image: a noisy dark canvas with 1..max digits placed at random, each resized to a random
 * size, boxed tightly around its ink, and rejected if its box overlaps an earlier one by more than `max_iou`.
 *
 * Everything random is drawn from the image's own generator, in a fixed order, so an image depends only on
 * (seed, split, index) and the options, never on how many images are made or in which order.
 *
 * @example
 * const { pixels, digits } = renderImage(new Rng(hashSeed(0, 0, 5)), sources.train, mnist, options);
 */
import { resizeImage } from '../transforms/image-ops.js';
import type { Rng } from '../utils/rng.js';
import { MNIST_SIZE, type MnistDigits, type SourceRange } from './mnist-source.js';

/**
 * What renderImage needs to know; see `mnistDetOptionsSchema` for meanings and defaults.
 *
 * @example
 * const options: RenderOptions = { image_size: 128, min_digits: 1, max_digits: 5, min_size: 16, max_size: 56, max_iou: 0.1, noise: 24, ink_threshold: 0.2 };
 */
export interface RenderOptions {
  image_size: number;
  min_digits: number;
  max_digits: number;
  min_size: number;
  max_size: number;
  max_iou: number;
  noise: number;
  ink_threshold: number;
}

/**
 * One digit placed on an image: its class, which source sample, and its box x1y1x2y2 (pixel edges).
 *
 * @example
 * const d: PlacedDigit = { label: 3, source_index: 120, box: [10, 12, 30, 40] };
 */
export interface PlacedDigit {
  label: number;
  source_index: number;
  box: [number, number, number, number];
}

/** Placement attempts per digit before it is left out (the canvas may be too full for it). */
const MAX_ATTEMPTS = 20;

/**
 * Draws one image (grey, image_size², 0..255) and the digits on it; see the file comment.
 *
 * @example
 * renderImage(rng, ranges, mnist, options).digits.length; // 1..max_digits
 */
export function renderImage(rng: Rng, ranges: readonly SourceRange[], mnist: MnistDigits, o: RenderOptions): { pixels: Uint8Array; digits: PlacedDigit[] } {
  const side = o.image_size;
  const pixels = new Uint8Array(side * side);
  for (let i = 0; i < pixels.length; i += 1) pixels[i] = rng.int(o.noise + 1);
  const wanted = rng.intBetween(o.min_digits, o.max_digits);
  const digits: PlacedDigit[] = [];
  for (let d = 0; d < wanted; d += 1) {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const label = rng.int(10);
      const range = ranges[label];
      const sourceIndex = range.start + rng.int(range.end - range.start);
      const size = rng.intBetween(o.min_size, o.max_size);
      const x = rng.int(side - size + 1);
      const y = rng.int(side - size + 1);
      const contrast = rng.uniform(0.6, 1);
      const glyph = resizeImage(mnist.digit(label, sourceIndex), [MNIST_SIZE, MNIST_SIZE], [size, size], 'bilinear', 1) as Float32Array;
      const ink = inkBox(glyph, size, o.ink_threshold);
      if (!ink) continue;
      const box: PlacedDigit['box'] = [x + ink[0], y + ink[1], x + ink[2], y + ink[3]];
      if (digits.some((other) => iou(other.box, box) > o.max_iou)) continue;
      stamp(pixels, side, glyph, size, x, y, contrast);
      digits.push({ label, source_index: sourceIndex, box });
      break;
    }
  }
  return { pixels, digits };
}

/**
 * The tight box [x1, y1, x2, y2] (x2, y2 exclusive: pixel edges) of pixels ≥ threshold in a size×size glyph, or
 * undefined when none is.
 *
 * @example
 * inkBox(Float32Array.of(0, 0, 0, 1), 2, 0.5); // [1, 1, 2, 2]
 */
export function inkBox(glyph: Float32Array, size: number, threshold: number): [number, number, number, number] | undefined {
  let x1 = size;
  let y1 = size;
  let x2 = -1;
  let y2 = -1;
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      if (glyph[y * size + x] < threshold) continue;
      x1 = Math.min(x1, x);
      x2 = Math.max(x2, x);
      y1 = Math.min(y1, y);
      y2 = Math.max(y2, y);
    }
  }
  return x2 < 0 ? undefined : [x1, y1, x2 + 1, y2 + 1];
}

/**
 * Intersection over union of two x1y1x2y2 boxes.
 *
 * @example
 * iou([0, 0, 2, 2], [1, 0, 3, 2]); // 1/3
 */
export function iou(a: readonly number[], b: readonly number[]): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

/** Draws the glyph (0..1) at (x, y) as light ink over the canvas: the brighter of ink and background wins. */
function stamp(canvas: Uint8Array, side: number, glyph: Float32Array, size: number, x: number, y: number, contrast: number): void {
  for (let gy = 0; gy < size; gy += 1) {
    for (let gx = 0; gx < size; gx += 1) {
      const ink = Math.round(glyph[gy * size + gx] * contrast * 255);
      const at = (y + gy) * side + x + gx;
      if (ink > canvas[at]) canvas[at] = ink;
    }
  }
}
