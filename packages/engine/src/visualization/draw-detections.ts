/**
 * Boxes, class names and scores drawn on an image, as PNG: what `DetVisualizationHook`, `predict` and
 * `browse-dataset` show. Mirrors mmdet's `DetLocalVisualizer.add_datasample`: ground truth and predictions
 * side by side (GT left), one colour per class, a label `class score` on a filled tab at each box's top-left.
 *
 * Drawing is an SVG overlay composited onto the pixels with sharp (librsvg), so there is no canvas dependency.
 * Boxes are drawn with `shape-rendering="crispEdges"` and their stroke *inside* the box: the pixel column at x1
 * and the row at y1 carry the class colour exactly, which tests check. Labels need a font that fontconfig finds
 * (Debian: `fonts-dejavu-core`); without one, boxes still draw and labels are blank.
 *
 * Small images (MNIST-Det's 128×128) are enlarged by an integer factor (nearest neighbour) until their longer
 * side reaches `minSize`, so labels stay legible; box coordinates are scaled by the same factor.
 *
 * @example
 * const png = await drawDataSample(rgbImage, { gt, pred }, { classes: ['cat', 'dog'], scoreThr: 0.3 });
 * await writeFile('vis.png', png);
 */
import sharp from 'sharp';

/** Pixels to draw on: HWC, 3 channels, in `channelOrder` (the pipeline's images are BGR, as mmcv loads them). */
export interface DrawImage {
  data: Uint8Array | Float32Array;
  shape: readonly [number, number, 3] | readonly [number, number, number];
  channelOrder: 'rgb' | 'bgr';
}

/** Boxes to draw: n × 4 x1y1x2y2 in the image's pixels, their class indices and (for predictions) scores. */
export interface DrawBoxes {
  bboxes: Float32Array;
  labels: Int32Array;
  scores?: Float32Array;
}

/** How to draw. */
export interface DrawOptions {
  /** Class names by label; labels print as numbers without them. */
  classes?: readonly unknown[];
  /** Boxes with a score below this are left out (predictions only). Default 0.3, as mmdet's hook. */
  scoreThr?: number;
  /** Enlarge until the longer side is at least this many pixels (integer factor). Default 256; 0 turns it off. */
  minSize?: number;
  /** Box line width in (output) pixels. Default 2. */
  lineWidth?: number;
}

/** Pixels of white between the GT and prediction panels of `drawDataSample`. */
export const PANEL_GAP = 4;

/**
 * A qualitative palette (Vega's category20, darker shades first) so neighbouring labels differ; label i gets
 * colour i mod 20.
 */
const PALETTE: ReadonlyArray<readonly [number, number, number]> = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
  [174, 199, 232], [255, 187, 120], [152, 223, 138], [255, 152, 150], [197, 176, 213],
  [196, 156, 148], [247, 182, 210], [199, 199, 199], [219, 219, 141], [158, 218, 229],
];

/** The RGB colour of class `label`. */
export function classColor(label: number): readonly [number, number, number] {
  return PALETTE[((label % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

/** The integer factor `drawDetections` enlarges an image of `height`×`width` by. */
export function upscaleFactor(height: number, width: number, minSize = 256): number {
  return minSize > 0 ? Math.max(1, Math.floor(minSize / Math.max(height, width))) : 1;
}

/** One image with `boxes` drawn on it, as PNG; see the file comment. */
export async function drawDetections(image: DrawImage, boxes: DrawBoxes | undefined, options: DrawOptions = {}): Promise<Buffer> {
  const [h, w] = image.shape;
  const factor = upscaleFactor(h, w, options.minSize);
  const [height, width] = [h * factor, w * factor];
  const svg = overlay(width, height, boxes, factor, options);
  return sharp(toRgb(image), { raw: { width: w, height: h, channels: 3 } })
    .resize(width, height, { kernel: 'nearest' })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
}

/**
 * Ground truth and predictions of one image side by side (GT left, `PANEL_GAP` white pixels, predictions
 * right), as mmdet draws a data sample; with only one of them, that panel alone.
 */
export async function drawDataSample(image: DrawImage, sample: { gt?: DrawBoxes; pred?: DrawBoxes }, options: DrawOptions = {}): Promise<Buffer> {
  const panels: Buffer[] = [];
  if (sample.gt) panels.push(await drawDetections(image, sample.gt, { ...options, scoreThr: 0 }));
  if (sample.pred || !sample.gt) panels.push(await drawDetections(image, sample.pred, options));
  if (panels.length === 1) return panels[0]!;
  const { width = 0, height = 0 } = await sharp(panels[0]).metadata();
  return sharp({ create: { width: 2 * width + PANEL_GAP, height, channels: 3, background: '#ffffff' } })
    .composite([
      { input: panels[0]!, left: 0, top: 0 },
      { input: panels[1]!, left: width + PANEL_GAP, top: 0 },
    ])
    .png()
    .toBuffer();
}

/** Reads an image file as RGB pixels (alpha dropped, grey expanded), for drawing. */
export async function readImageForDrawing(path: string): Promise<DrawImage> {
  const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) {
    // Grey PNGs can come back with one channel despite toColourspace; repeat it.
    const rgb = new Uint8Array(info.width * info.height * 3);
    for (let i = 0; i < info.width * info.height; i++) rgb.fill(data[i * info.channels]!, 3 * i, 3 * i + 3);
    return { data: rgb, shape: [info.height, info.width, 3], channelOrder: 'rgb' };
  }
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), shape: [info.height, info.width, 3], channelOrder: 'rgb' };
}

/** The SVG drawn over an image of `width`×`height` (already enlarged by `factor`). */
function overlay(width: number, height: number, boxes: DrawBoxes | undefined, factor: number, options: DrawOptions): string {
  const lineWidth = options.lineWidth ?? 2;
  const scoreThr = options.scoreThr ?? 0.3;
  const fontSize = Math.max(9, Math.round(Math.min(width, height) / 28));
  const shapes: string[] = [];
  const count = boxes ? boxes.labels.length : 0;
  for (let i = 0; i < count; i++) {
    const score = boxes!.scores?.[i];
    if (score !== undefined && score < scoreThr) continue;
    const label = boxes!.labels[i]!;
    const [x1, y1, x2, y2] = [...boxes!.bboxes.subarray(4 * i, 4 * i + 4)].map((v) => v * factor) as [number, number, number, number];
    const [r, g, b] = classColor(label);
    const colour = `rgb(${r},${g},${b})`;
    // The stroke is centred on the rect's outline: inset by half the width to keep it inside [x1, x2) × [y1, y2).
    const half = lineWidth / 2;
    shapes.push(
      `<rect x="${fmt(x1 + half)}" y="${fmt(y1 + half)}" width="${fmt(Math.max(0, x2 - x1 - lineWidth))}" height="${fmt(Math.max(0, y2 - y1 - lineWidth))}" fill="none" stroke="${colour}" stroke-width="${lineWidth}"/>`,
    );
    const name = options.classes?.[label];
    const text = `${escapeXml(String(name ?? label))}${score === undefined ? '' : ` ${score.toFixed(2)}`}`;
    // A tab above the box, or inside it when the box touches the top edge.
    const tabHeight = fontSize + 4;
    const tabTop = y1 - tabHeight >= 0 ? y1 - tabHeight : y1 + lineWidth;
    const tabWidth = Math.ceil(text.length * fontSize * 0.62) + 4;
    shapes.push(
      `<rect x="${fmt(x1)}" y="${fmt(tabTop)}" width="${tabWidth}" height="${tabHeight}" fill="${colour}" fill-opacity="0.85"/>`,
      `<text x="${fmt(x1 + 2)}" y="${fmt(tabTop + fontSize)}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="${fontSize}" fill="white">${text}</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" shape-rendering="crispEdges">${shapes.join('')}</svg>`;
}

/** The pixels as packed RGB bytes (BGR swapped, floats clamped to 0..255). */
function toRgb(image: DrawImage): Buffer {
  const { data, channelOrder } = image;
  const out = Buffer.alloc(data.length);
  const swap = channelOrder === 'bgr';
  for (let i = 0; i < data.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      const v = data[i + (swap ? 2 - c : c)]!;
      out[i + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
  return out;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
