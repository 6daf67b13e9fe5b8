/**
 * Turns a `DetBatch` (HWC images as loaded, plain-data samples) into the padded float NHWC tensor a detector
 * reads; mirrors mmdet `DetDataPreprocessor` (`mmdet/models/data_preprocessors/data_preprocessor.py`) with
 * mmengine's `ImgDataPreprocessor` and `stack_batch`.
 *
 * Per image, in mmdet's order: swap BGR↔RGB (when asked), normalise `(x − mean) / std`, then place it
 * top-left in a batch tensor of the largest height and width, rounded up to `pad_size_divisor`, whose other
 * pixels hold `pad_value` (a value in normalised units, since padding comes after normalisation). Each sample's
 * metainfo gains `batch_input_shape` (the tensor's [H, W]) and `pad_shape` (its own [h, w] rounded up to the
 * divisor, which is what anchor valid flags use).
 *
 * Departure from mmdet, for the issue's "bad input" rule: GT boxes whose width or height is ≤ 0 once clipped to
 * `img_shape` are dropped here, counted in `numDroppedBoxes`, and reported by one warning per batch (mmdet
 * leaves them to `FilterAnnotations` in the pipeline, and a zero-width box makes NaN centerness targets).
 * The returned samples are copies: the caller's batch is never changed, so a fixed batch can be reused.
 *
 * @example
 * data_preprocessor: { type: 'DetDataPreprocessor', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375],
 *   bgr_to_rgb: true, pad_size_divisor: 32 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConsoleLogger, MODELS, type Logger } from '@detlab/core';
import { Module, assertDetBatch, type DetBatch, type DetDataSample } from '@detlab/tensor';
import { z } from 'zod';

const channelValues = z.array(z.number()).refine((v) => v.length === 1 || v.length === 3, 'expected 1 or 3 values (one per channel)');

/** Accepted for config compatibility only: what they switch on (masks, segmentation, batch augments) is not implemented. */
const notImplemented = (what: string) =>
  z.unknown().refine((v) => v === undefined || v === null || v === false, `${what} is not implemented in detlab yet; expected false or null`).optional();

/**
 * Options of `DetDataPreprocessor`, validated, with mmdet's defaults.
 *
 * @example
 * detDataPreprocessorSchema.parse({ mean: [0, 0, 0], std: [255, 255, 255] }); // pad_size_divisor 1, no channel swap
 */
export const detDataPreprocessorSchema = z
  .strictObject({
    /** Per-channel mean in the channel order after any swap; null skips normalisation. */
    mean: channelValues.nullable().default(null),
    std: channelValues.refine((v) => v.every((s) => s !== 0), 'expected non-zero values').nullable().default(null),
    /** Pad height and width up to a multiple of this (32 for FPN strides up to 32). */
    pad_size_divisor: z.int().positive().default(1),
    /** Value of padded pixels, after normalisation. */
    pad_value: z.number().default(0),
    bgr_to_rgb: z.boolean().default(false),
    rgb_to_bgr: z.boolean().default(false),
    /** Boxes are always plain arrays here; the flag is accepted so mmdet configs load. */
    boxtype2tensor: z.boolean().default(true),
    non_blocking: z.boolean().default(false),
    pad_mask: notImplemented('pad_mask'),
    mask_pad_value: z.number().default(0),
    pad_seg: notImplemented('pad_seg'),
    seg_pad_value: z.number().default(255),
    batch_augments: notImplemented('batch_augments'),
  })
  .superRefine((o, ctx) => {
    const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
    if ((o.mean === null) !== (o.std === null)) issue(o.mean === null ? 'mean' : 'std', 'mean and std must be given together (or both left out)');
    if (o.bgr_to_rgb && o.rgb_to_bgr) issue('rgb_to_bgr', 'bgr_to_rgb and rgb_to_bgr cannot both be true');
  });

/**
 * Options of `DetDataPreprocessor`, keys as in MMDetection configs.
 *
 * @example
 * const options: DetDataPreprocessorOptions = { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], bgr_to_rgb: true };
 */
export type DetDataPreprocessorOptions = z.input<typeof detDataPreprocessorSchema>;

/**
 * What `DetDataPreprocessor.forward` returns; `inputs` belongs to the caller (dispose it, or call inside tf.tidy).
 *
 * @example
 * const { inputs, data_samples } = preprocessor.forward(batch); // inputs [N, H, W, 3]
 */
export interface DetPreprocessed {
  /** [N, H, W, 3] float32, normalised and padded. */
  inputs: tf.Tensor4D;
  /** Copies of the batch's samples with `batch_input_shape` and `pad_shape` set and degenerate GT boxes removed. */
  data_samples: DetDataSample[];
  /** GT boxes dropped in this batch for a width or height ≤ 0 after clipping to img_shape. */
  numDroppedBoxes: number;
}

/**
 * Normalises, converts channels and pads a batch of images; see the file comment.
 *
 * @example
 * data_preprocessor: { type: 'DetDataPreprocessor', mean: [0, 0, 0], std: [255, 255, 255], pad_size_divisor: 32 }
 */
@MODELS.register({ name: 'DetDataPreprocessor', schema: detDataPreprocessorSchema, description: 'Normalise, swap channels and pad detection batches (mmdet DetDataPreprocessor).' })
export class DetDataPreprocessor extends Module {
  readonly options: z.output<typeof detDataPreprocessorSchema>;
  /** Where the dropped-box warning goes; a console logger when unset. */
  logger: Logger | undefined;
  /** GT boxes dropped since this preprocessor was built, over all batches. */
  numDroppedBoxes = 0;

  constructor(options: DetDataPreprocessorOptions = {}) {
    super();
    this.options = detDataPreprocessorSchema.parse(options);
  }

  /** The batch as one padded float tensor [N, H, W, 3] plus updated sample copies; see `DetPreprocessed`. */
  forward(batch: DetBatch): DetPreprocessed {
    assertDetBatch(batch, 'DetDataPreprocessor.forward');
    const { pad_size_divisor: divisor } = this.options;
    const roundUp = (v: number) => Math.ceil(v / divisor) * divisor;
    const height = roundUp(Math.max(...batch.inputs.map((x) => x.shape[0])));
    const width = roundUp(Math.max(...batch.inputs.map((x) => x.shape[1])));
    const pixels = new Float32Array(batch.inputs.length * height * width * 3).fill(this.options.pad_value);
    batch.inputs.forEach((image, i) => this.writeImage(image, pixels.subarray(i * height * width * 3, (i + 1) * height * width * 3), width));

    let dropped = 0;
    const dataSamples = batch.data_samples.map((sample, i) => {
      const [h, w] = batch.inputs[i]!.shape;
      const metainfo = { ...sample.metainfo, batch_input_shape: [height, width] as [number, number], pad_shape: [roundUp(h), roundUp(w)] as [number, number] };
      const copy: DetDataSample = { ...sample, metainfo };
      if (sample.gt_instances) {
        const kept = withoutDegenerateBoxes(sample.gt_instances, metainfo.img_shape);
        dropped += sample.gt_instances.labels.length - kept.labels.length;
        copy.gt_instances = kept;
      }
      return copy;
    });
    if (dropped > 0) this.warnDropped(dropped, batch.data_samples);
    const inputs = tf.tensor4d(pixels, [batch.inputs.length, height, width, 3], 'float32'); // [N, H, W, 3]
    return { inputs, data_samples: dataSamples, numDroppedBoxes: dropped };
  }

  /** Writes one HWC image into `out` (a [H, W, 3] slice of the batch, row length `width`), swapped and normalised. */
  private writeImage({ data, shape: [h, w] }: DetBatch['inputs'][number], out: Float32Array, width: number): void {
    const { mean, std, bgr_to_rgb: bgrToRgb, rgb_to_bgr: rgbToBgr } = this.options;
    const source = bgrToRgb || rgbToBgr ? [2, 1, 0] : [0, 1, 2]; // output channel c reads input channel source[c]
    const m = [0, 1, 2].map((c) => (mean === null ? 0 : mean[mean.length === 1 ? 0 : c]!));
    const s = [0, 1, 2].map((c) => (std === null ? 1 : std[std.length === 1 ? 0 : c]!));
    for (let y = 0; y < h; y += 1) {
      for (let x = 0; x < w; x += 1) {
        const from = (y * w + x) * 3;
        const to = (y * width + x) * 3;
        for (let c = 0; c < 3; c += 1) out[to + c] = (data[from + source[c]!]! - m[c]!) / s[c]!;
      }
    }
  }

  private warnDropped(dropped: number, samples: readonly DetDataSample[]): void {
    this.numDroppedBoxes += dropped;
    const ids = samples.map((s, i) => s.metainfo.img_id ?? `#${i}`).join(', ');
    this.logger ??= new ConsoleLogger();
    this.logger.warn(
      `DetDataPreprocessor: dropped ${dropped} GT box${dropped === 1 ? '' : 'es'} with width or height <= 0 after clipping to img_shape ` +
        `(batch images ${ids}; ${this.numDroppedBoxes} so far). Filter them in the dataset (filter_cfg.min_size) to silence this.`,
    );
  }
}

/** The instances whose box, clipped to `imgShape` [h, w], has positive width and height; the same object when all do. */
function withoutDegenerateBoxes(gt: { bboxes: Float32Array; labels: Int32Array }, [h, w]: readonly [number, number]) {
  const keep: number[] = [];
  const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  for (let i = 0; i < gt.labels.length; i += 1) {
    const [x1, y1, x2, y2] = gt.bboxes.subarray(4 * i, 4 * i + 4);
    if (clip(x2, w) - clip(x1, w) > 0 && clip(y2, h) - clip(y1, h) > 0) keep.push(i);
  }
  if (keep.length === gt.labels.length) return gt;
  const bboxes = new Float32Array(keep.length * 4);
  keep.forEach((k, j) => bboxes.set(gt.bboxes.subarray(4 * k, 4 * k + 4), 4 * j));
  return { bboxes, labels: Int32Array.from(keep, (k) => gt.labels[k]!) };
}
