import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DetVisualizationHook } from './det-visualization-hook.js';
import { MemoryLogger, tempDir } from '../runner/__fixtures__/toy-run.js';
import type { Runner } from '../runner/runner.js';
import { PANEL_GAP, classColor } from '../visualization/draw-detections.js';

const sample = (path: string) => ({ metainfo: { img_path: path, img_id: 7, ori_shape: [20, 30], img_shape: [20, 30], scale_factor: [1, 1] } });
const prediction = { bboxes: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), scores: Float32Array.of(0.9, 0.1), labels: Int32Array.of(1, 0) };
const input = () => ({ data: new Uint8Array(20 * 30 * 3).fill(50), shape: [20, 30, 3] as [number, number, 3] });

async function fakeRunner() {
  const logger = new MemoryLogger();
  const images: Array<[string, number]> = [];
  const visualizer = { addImage: (name: string, _png: Uint8Array, step: number) => images.push([name, step]) };
  const runner = { workDir: await tempDir(), iter: 100, logger, visualizer, valLoop: { dataloader: { dataset: { metainfo: { classes: ['a', 'b'] } } } } } as unknown as Runner;
  return { runner, logger, images };
}

async function pixel(file: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
}

describe('DetVisualizationHook', () => {
  it('writes nothing unless draw is true (mmdet default)', async () => {
    const { runner } = await fakeRunner();
    await new DetVisualizationHook().afterValIter(runner, 0, { data_samples: [sample('a/x.png')] }, [prediction]);
    await expect(readdir(join(runner.workDir, 'vis_data'))).rejects.toThrow();
  });

  it('with draw, draws and records the detections above score_thr of the first image of every interval-th val batch', async () => {
    const { runner, images } = await fakeRunner();
    const hook = new DetVisualizationHook({ draw: true, interval: 2, score_thr: 0.3 });
    await hook.afterValIter(runner, 0, { inputs: [input(), input()], data_samples: [sample('imgs/x.png'), sample('imgs/y.png')] }, [prediction, prediction]);
    await hook.afterValIter(runner, 1, { inputs: [input()], data_samples: [sample('imgs/z.png')] }, [prediction]);
    expect((await readdir(join(runner.workDir, 'vis_data', 'val'))).sort()).toEqual(['x_100.json', 'x_100.png']);
    const record = JSON.parse(await readFile(join(runner.workDir, 'vis_data', 'val', 'x_100.json'), 'utf8'));
    expect(record).toEqual({ img_path: 'imgs/x.png', img_id: 7, ori_shape: [20, 30], step: 100, detections: [{ bbox: [1, 2, 3, 4], score: expect.closeTo(0.9), label: 1, class: 'b' }] });
    expect(images).toEqual([['val/x', 100]]);
  });

  it('draws ground truth left and predictions right on the image read from img_path, in class colours', async () => {
    const { runner } = await fakeRunner();
    const imgPath = join(runner.workDir, 'photo.png');
    // 100×80 grey, so the drawing is not enlarged (256 / 100 → factor 2; minSize is the hook's default 256).
    await sharp({ create: { width: 100, height: 80, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toFile(imgPath);
    const gt = { bboxes: Float32Array.of(10, 10, 40, 40), labels: Int32Array.of(0) };
    const pred = { bboxes: Float32Array.of(50, 20, 90, 70), scores: Float32Array.of(0.8), labels: Int32Array.of(1) };
    const hook = new DetVisualizationHook({ draw: true, test_out_dir: 'preds' });
    const meta = { img_path: imgPath, ori_shape: [80, 100], img_shape: [80, 100], scale_factor: [1, 1] };
    await hook.afterTestIter(runner, 0, { data_samples: [{ metainfo: meta, gt_instances: gt }] }, [pred]);
    const png = join(runner.workDir, 'preds', 'photo_100.png');
    const { width, height } = await sharp(png).metadata();
    expect([width, height]).toEqual([2 * 200 + PANEL_GAP, 160]);
    expect(await pixel(png, 20, 50)).toEqual([...classColor(0)]); // GT left edge, x1 = 10 at factor 2
    expect(await pixel(png, 17, 50)).toEqual([90, 90, 90]);
    expect(await pixel(png, 200 + PANEL_GAP + 100, 100)).toEqual([...classColor(1)]); // prediction left edge, x1 = 50
    expect(await pixel(png, 200 + PANEL_GAP + 20, 50)).toEqual([90, 90, 90]); // no GT in the prediction panel
  });

  it('with draw, writes every test image to test_out_dir', async () => {
    const { runner } = await fakeRunner();
    const hook = new DetVisualizationHook({ draw: true, test_out_dir: 'preds' });
    await hook.afterTestIter(runner, 0, { inputs: [input(), input()], data_samples: [sample('x.png'), sample('y.png')] }, [prediction, prediction]);
    expect((await readdir(join(runner.workDir, 'preds'))).sort()).toEqual(['x_100.json', 'x_100.png', 'y_100.json', 'y_100.png']);
  });

  it('warns once and skips outputs that are not detections', async () => {
    const { runner, logger } = await fakeRunner();
    const hook = new DetVisualizationHook({ draw: true, interval: 1 });
    await hook.afterValIter(runner, 0, { x: 1 }, [0.5]);
    await hook.afterValIter(runner, 1, { x: 1 }, [0.5]);
    expect(logger.lines).toEqual(['WARN [DetVisualizationHook] the batch or predictions are not detections (DetBatch / DetPrediction): nothing written']);
  });
});
