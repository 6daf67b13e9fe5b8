/**
 * `DetVisualizationHook`: draws what the detector sees on a few val and test images, under mmdet's name and
 * options. As in mmdet nothing happens unless `draw` is true: then the first image of every `interval`-th val
 * batch, and every test image, is drawn as mmdet's `DetLocalVisualizer` draws a data sample: ground truth left,
 * predictions above `score_thr` right, one colour per class, `class score` labels (see
 * `visualization/draw-detections.ts`). Each drawing is written as `<image stem>_<iter>.png`, with the detections
 * beside it as JSON (`{ img_path, img_id, ori_shape, step, detections: [{ bbox, score, label, class }] }`):
 * val images to `<run folder>/vis_data/val/` (and to every vis backend that takes images, through
 * `runner.visualizer.addImage('val/<stem>', png, iter)`), test images to `test_out_dir` (relative to the run
 * folder) or `<run folder>/vis_data/test/`.
 *
 * The picture is the original image read from `img_path`, where predictions (rescaled) and val ground truth
 * (mmdet's test pipelines load annotations after `Resize`) already are. Without a readable `img_path` it is
 * the batch's input image (assumed BGR, as `LoadImageFromFile` loads it), predictions scaled by `scale_factor`.
 *
 * Predictions must be `DetPrediction`s and batches `DetBatch`es (@detlab/tensor); anything else is skipped
 * with one warning.
 *
 * @example
 * default_hooks: { visualization: { type: 'DetVisualizationHook', draw: true, interval: 10, score_thr: 0.3 } }
 */
import { HOOKS } from '@detlab/core';
import type { DetBatch, DetDataSample, DetPrediction } from '@detlab/tensor';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { Hook } from './hook.js';
import { prioritySchema, type Priority } from './priority.js';
import type { Runner } from '../runner/runner.js';
import { drawDataSample, readImageForDrawing, type DrawBoxes, type DrawImage } from '../visualization/draw-detections.js';

/** Options of `DetVisualizationHook` (mmdet's names and defaults). */
export const detVisualizationHookSchema = z.strictObject({
  draw: z.boolean().default(false),
  interval: z.int().positive().default(50),
  score_thr: z.number().min(0).max(1).default(0.3),
  /** mmdet opens a window; detlab cannot, so only false is accepted. */
  show: z.literal(false).default(false),
  wait_time: z.number().nonnegative().default(0),
  test_out_dir: z.string().nullable().default(null),
  priority: prioritySchema.optional(),
});

/** Options of `DetVisualizationHook`, as configs write them. */
export type DetVisualizationHookOptions = z.input<typeof detVisualizationHookSchema>;

/** Draws ground truth and detections of sampled val/test images as PNG (+ JSON); see the file comment. */
@HOOKS.register({ name: 'DetVisualizationHook', schema: detVisualizationHookSchema, description: 'Draws GT and detections of sampled val/test images as PNG, with the detections as JSON (mmdet options).' })
export class DetVisualizationHook extends Hook {
  static override readonly defaultPriority: Priority = 'NORMAL';
  readonly options: z.output<typeof detVisualizationHookSchema>;
  private warned = false;

  constructor(options: DetVisualizationHookOptions = {}) {
    super();
    this.options = detVisualizationHookSchema.parse(options);
  }

  override async afterValIter(runner: Runner, batchIdx: number, dataBatch?: unknown, outputs?: readonly unknown[]): Promise<void> {
    if (!this.options.draw || (runner.iter + batchIdx) % this.options.interval !== 0) return;
    const written = await this.write(runner, join(runner.workDir, 'vis_data', 'val'), dataBatch, outputs, 1);
    for (const { stem, png } of written) runner.visualizer?.addImage(`val/${stem}`, png, runner.iter);
  }

  override async afterTestIter(runner: Runner, _batchIdx: number, dataBatch?: unknown, outputs?: readonly unknown[]): Promise<void> {
    if (!this.options.draw) return;
    const dir = this.options.test_out_dir ? resolve(runner.workDir, this.options.test_out_dir) : join(runner.workDir, 'vis_data', 'test');
    await this.write(runner, dir, dataBatch, outputs, Infinity);
  }

  /** Draws and writes the first `limit` images of the batch; returns what was drawn. */
  private async write(runner: Runner, dir: string, dataBatch: unknown, outputs: readonly unknown[] | undefined, limit: number): Promise<Array<{ stem: string; png: Buffer }>> {
    const batch = dataBatch as Partial<DetBatch> | undefined;
    const samples = batch?.data_samples;
    if (!Array.isArray(samples) || !outputs || !outputs.every(isPrediction)) {
      if (!this.warned) runner.logger.warn('[DetVisualizationHook] the batch or predictions are not detections (DetBatch / DetPrediction): nothing written');
      this.warned = true;
      return [];
    }
    const classes = (runner.valLoop?.dataloader.dataset?.metainfo?.classes ?? runner.testLoop?.dataloader.dataset?.metainfo?.classes) as unknown[] | undefined;
    await mkdir(dir, { recursive: true });
    const count = Math.min(limit, outputs.length, samples.length);
    const written: Array<{ stem: string; png: Buffer }> = [];
    for (let i = 0; i < count; i++) {
      const sample = samples[i] as DetDataSample;
      const prediction = outputs[i] as DetPrediction;
      const stem = fileStem(sample, i);
      const record = { ...describeImage(sample), step: runner.iter, detections: this.detections(prediction, classes) };
      await writeFile(join(dir, `${stem}_${runner.iter}.json`), `${JSON.stringify(record)}\n`);
      const picture = await this.picture(sample, prediction, batch?.inputs?.[i]);
      if (!picture) continue;
      const png = await drawDataSample(picture.image, { gt: sample.gt_instances, pred: picture.pred }, { classes, scoreThr: this.options.score_thr });
      await writeFile(join(dir, `${stem}_${runner.iter}.png`), png);
      written.push({ stem, png });
    }
    return written;
  }

  /** The image to draw on and the predictions in its pixels; see the file comment. */
  private async picture(sample: DetDataSample, pred: DetPrediction, input: DetBatch['inputs'][number] | undefined): Promise<{ image: DrawImage; pred: DrawBoxes } | undefined> {
    const path = sample.metainfo?.img_path;
    if (typeof path === 'string' && existsSync(path)) return { image: await readImageForDrawing(path), pred };
    if (!input) return undefined;
    const [sx, sy] = sample.metainfo?.scale_factor ?? [1, 1];
    const bboxes = pred.bboxes.map((v, k) => v * (k % 2 === 0 ? sx : sy));
    return { image: { data: input.data, shape: input.shape, channelOrder: 'bgr' }, pred: { ...pred, bboxes } };
  }

  private detections(prediction: DetPrediction, classes: unknown[] | undefined): object[] {
    const found: object[] = [];
    for (let j = 0; j < prediction.scores.length; j++) {
      if (prediction.scores[j] < this.options.score_thr) continue;
      const label = prediction.labels[j];
      found.push({ bbox: [...prediction.bboxes.subarray(4 * j, 4 * j + 4)], score: prediction.scores[j], label, class: classes?.[label] ?? null });
    }
    return found;
  }
}

function isPrediction(value: unknown): boolean {
  const p = value as Partial<DetPrediction> | null;
  return !!p && p.bboxes instanceof Float32Array && p.scores instanceof Float32Array && p.labels instanceof Int32Array;
}

function describeImage(sample: DetDataSample): object {
  const { img_path = null, img_id = null, ori_shape = null } = sample.metainfo ?? {};
  return { img_path, img_id, ori_shape };
}

function fileStem(sample: DetDataSample, index: number): string {
  const path = sample.metainfo?.img_path;
  if (typeof path === 'string') return basename(path, extname(path));
  return `img_${sample.metainfo?.img_id ?? index}`;
}
