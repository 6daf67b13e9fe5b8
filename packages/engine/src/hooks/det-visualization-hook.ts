/**
 * `DetVisualizationHook`: records what the detector sees on a few val and test images, under mmdet's name and
 * options. The engine has no image encoder, so instead of drawing it writes each chosen image's detections
 * above `score_thr` as JSON (`{ img_path, img_id, ori_shape, step, detections: [{ bbox, score, label, class }] }`),
 * which a notebook or a plotting script overlays on the image. As in mmdet nothing happens unless `draw` is
 * true: then the first image of every `interval`-th val batch goes to `<run folder>/vis_data/val/`, and every
 * test image goes to `test_out_dir` (relative to the run folder) or `<run folder>/vis_data/test/`.
 *
 * Predictions must be `DetPrediction`s and batches `DetBatch`es (@detlab/tensor); anything else is skipped
 * with one warning.
 *
 * @example
 * default_hooks: { visualization: { type: 'DetVisualizationHook', draw: true, interval: 10, score_thr: 0.3 } }
 */
import { HOOKS } from '@detlab/core';
import type { DetBatch, DetDataSample, DetPrediction } from '@detlab/tensor';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { Hook } from './hook.js';
import { prioritySchema, type Priority } from './priority.js';
import type { Runner } from '../runner/runner.js';

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

/** Writes detections of sampled val/test images as JSON; see the file comment. */
@HOOKS.register({ name: 'DetVisualizationHook', schema: detVisualizationHookSchema, description: 'Writes detections of sampled val/test images as JSON (mmdet options).' })
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
    await this.write(runner, join(runner.workDir, 'vis_data', 'val'), dataBatch, outputs, 1);
  }

  override async afterTestIter(runner: Runner, _batchIdx: number, dataBatch?: unknown, outputs?: readonly unknown[]): Promise<void> {
    if (!this.options.draw) return;
    const dir = this.options.test_out_dir ? resolve(runner.workDir, this.options.test_out_dir) : join(runner.workDir, 'vis_data', 'test');
    await this.write(runner, dir, dataBatch, outputs, Infinity);
  }

  private async write(runner: Runner, dir: string, dataBatch: unknown, outputs: readonly unknown[] | undefined, limit: number): Promise<void> {
    const samples = (dataBatch as Partial<DetBatch> | undefined)?.data_samples;
    if (!Array.isArray(samples) || !outputs || !outputs.every(isPrediction)) {
      if (!this.warned) runner.logger.warn('[DetVisualizationHook] the batch or predictions are not detections (DetBatch / DetPrediction): nothing written');
      this.warned = true;
      return;
    }
    const classes = (runner.valLoop?.dataloader.dataset?.metainfo?.classes ?? runner.testLoop?.dataloader.dataset?.metainfo?.classes) as unknown[] | undefined;
    await mkdir(dir, { recursive: true });
    const count = Math.min(limit, outputs.length, samples.length);
    for (let i = 0; i < count; i++) {
      const sample = samples[i] as DetDataSample;
      const record = { ...describeImage(sample), step: runner.iter, detections: this.detections(outputs[i] as DetPrediction, classes) };
      await writeFile(join(dir, `${fileStem(sample, i)}_${runner.iter}.json`), `${JSON.stringify(record)}\n`);
    }
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
