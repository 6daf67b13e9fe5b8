import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PANEL_GAP, classColor, drawDataSample, drawDetections, upscaleFactor, type DrawImage } from './draw-detections.js';
import { imageGrid } from './image-grid.js';

const GREY = 100;
/** A uniform grey image of h×w, BGR like the pipeline's, with one blue-ish pixel to check the channel swap. */
function greyImage(h: number, w: number): DrawImage {
  const data = new Uint8Array(h * w * 3).fill(GREY);
  data.set([255, 0, 0], 0); // BGR: pure blue at (0, 0)
  return { data, shape: [h, w, 3], channelOrder: 'bgr' };
}

/** RGB pixel (x, y) of a PNG. */
async function pixels(png: Buffer): Promise<{ width: number; height: number; at: (x: number, y: number) => number[] }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, at: (x, y) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)] };
}

const box = { bboxes: Float32Array.of(10, 20, 50, 60), labels: Int32Array.of(3), scores: Float32Array.of(0.9) };

describe('drawDetections', () => {
  it('draws each box edge inside the box in its class colour, leaving pixels outside untouched', async () => {
    const png = await drawDetections(greyImage(80, 100), box, { minSize: 0, classes: ['a', 'b', 'c', 'd'] });
    const img = await pixels(png);
    expect([img.width, img.height]).toEqual([100, 80]);
    const colour = [...classColor(3)];
    expect(img.at(10, 40)).toEqual(colour); // left edge, x1
    expect(img.at(49, 40)).toEqual(colour); // right edge, x2 - 1
    expect(img.at(30, 59)).toEqual(colour); // bottom edge, y2 - 1
    expect(img.at(8, 40)).toEqual([GREY, GREY, GREY]); // just left of the box
    expect(img.at(30, 40)).toEqual([GREY, GREY, GREY]); // inside, away from the edges
    expect(img.at(52, 40)).toEqual([GREY, GREY, GREY]); // just right of the box
    expect(img.at(0, 0)).toEqual([0, 0, 255]); // BGR input shown as RGB
  });

  it('leaves out predictions below scoreThr', async () => {
    const weak = { ...box, scores: Float32Array.of(0.1) };
    const img = await pixels(await drawDetections(greyImage(80, 100), weak, { minSize: 0, scoreThr: 0.3 }));
    expect(img.at(10, 40)).toEqual([GREY, GREY, GREY]);
  });

  it('enlarges small images by an integer factor and scales the boxes with them', async () => {
    expect(upscaleFactor(128, 128)).toBe(2);
    expect(upscaleFactor(300, 200)).toBe(1);
    const img = await pixels(await drawDetections(greyImage(80, 100), box)); // factor 2: 256 / 100
    expect([img.width, img.height]).toEqual([200, 160]);
    expect(img.at(20, 80)).toEqual([...classColor(3)]);
    expect(img.at(17, 80)).toEqual([GREY, GREY, GREY]);
  });
});

describe('drawDataSample', () => {
  it('puts ground truth left and predictions right, PANEL_GAP pixels apart', async () => {
    const gt = { bboxes: Float32Array.of(5, 5, 30, 30), labels: Int32Array.of(0) };
    const png = await drawDataSample(greyImage(80, 100), { gt, pred: box }, { minSize: 0 });
    const img = await pixels(png);
    expect([img.width, img.height]).toEqual([200 + PANEL_GAP, 80]);
    expect(img.at(5, 20)).toEqual([...classColor(0)]); // GT left edge, left panel
    expect(img.at(10, 40)).toEqual([GREY, GREY, GREY]); // no prediction in the GT panel
    expect(img.at(100 + PANEL_GAP + 10, 40)).toEqual([...classColor(3)]); // prediction, right panel
    expect(img.at(100 + PANEL_GAP + 5, 20)).toEqual([GREY, GREY, GREY]); // no GT in the prediction panel
  });
});

describe('imageGrid', () => {
  it('tiles images row by row with a white gap', async () => {
    const tile = await drawDetections(greyImage(10, 20), undefined, { minSize: 0 });
    const img = await pixels(await imageGrid([tile, tile, tile], { cols: 2, gap: 2 }));
    expect([img.width, img.height]).toEqual([2 * 22 + 2, 2 * 12 + 2]);
    expect(img.at(1, 1)).toEqual([255, 255, 255]);
    expect(img.at(25, 5)).toEqual([GREY, GREY, GREY]); // second cell of the first row
    expect(img.at(25, 17)).toEqual([255, 255, 255]); // the empty fourth cell
  });
});
