import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DetVisualizationHook } from './det-visualization-hook.js';
import { MemoryLogger, tempDir } from '../runner/__fixtures__/toy-run.js';
import type { Runner } from '../runner/runner.js';

const sample = (path: string) => ({ metainfo: { img_path: path, img_id: 7, ori_shape: [20, 30], img_shape: [20, 30], scale_factor: [1, 1] } });
const prediction = { bboxes: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), scores: Float32Array.of(0.9, 0.1), labels: Int32Array.of(1, 0) };

async function fakeRunner() {
  const logger = new MemoryLogger();
  const runner = { workDir: await tempDir(), iter: 100, logger, valLoop: { dataloader: { dataset: { metainfo: { classes: ['a', 'b'] } } } } } as unknown as Runner;
  return { runner, logger };
}

describe('DetVisualizationHook', () => {
  it('writes nothing unless draw is true (mmdet default)', async () => {
    const { runner } = await fakeRunner();
    await new DetVisualizationHook().afterValIter(runner, 0, { data_samples: [sample('a/x.png')] }, [prediction]);
    await expect(readdir(join(runner.workDir, 'vis_data'))).rejects.toThrow();
  });

  it('with draw, writes the detections above score_thr of the first image of every interval-th val batch', async () => {
    const { runner } = await fakeRunner();
    const hook = new DetVisualizationHook({ draw: true, interval: 2, score_thr: 0.3 });
    await hook.afterValIter(runner, 0, { data_samples: [sample('imgs/x.png'), sample('imgs/y.png')] }, [prediction, prediction]);
    await hook.afterValIter(runner, 1, { data_samples: [sample('imgs/z.png')] }, [prediction]);
    expect(await readdir(join(runner.workDir, 'vis_data', 'val'))).toEqual(['x_100.json']);
    const record = JSON.parse(await readFile(join(runner.workDir, 'vis_data', 'val', 'x_100.json'), 'utf8'));
    expect(record).toEqual({ img_path: 'imgs/x.png', img_id: 7, ori_shape: [20, 30], step: 100, detections: [{ bbox: [1, 2, 3, 4], score: expect.closeTo(0.9), label: 1, class: 'b' }] });
  });

  it('with draw, writes every test image to test_out_dir', async () => {
    const { runner } = await fakeRunner();
    const hook = new DetVisualizationHook({ draw: true, test_out_dir: 'preds' });
    await hook.afterTestIter(runner, 0, { data_samples: [sample('x.png'), sample('y.png')] }, [prediction, prediction]);
    expect((await readdir(join(runner.workDir, 'preds'))).sort()).toEqual(['x_100.json', 'y_100.json']);
  });

  it('warns once and skips outputs that are not detections', async () => {
    const { runner, logger } = await fakeRunner();
    const hook = new DetVisualizationHook({ draw: true, interval: 1 });
    await hook.afterValIter(runner, 0, { x: 1 }, [0.5]);
    await hook.afterValIter(runner, 1, { x: 1 }, [0.5]);
    expect(logger.lines).toEqual(['WARN [DetVisualizationHook] the batch or predictions are not detections (DetBatch / DetPrediction): nothing written']);
  });
});
