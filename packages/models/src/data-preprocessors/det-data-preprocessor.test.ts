import * as tf from '@tensorflow/tfjs-core';
import { ConfigValidationError, MODELS, type Logger } from '@detlab/core';
import { initBackend, type DetBatch, type DetDataSample } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { DetDataPreprocessor } from './det-data-preprocessor.js';

beforeAll(async () => {
  await initBackend('wasm');
}, 60_000);

function sample(h: number, w: number, boxes: number[] = [], labels: number[] = []): DetDataSample {
  return {
    gt_instances: { bboxes: Float32Array.from(boxes), labels: Int32Array.from(labels) },
    metainfo: { ori_shape: [h, w], img_shape: [h, w], scale_factor: [1, 1] },
  };
}

function image(h: number, w: number, fill: (i: number) => number = () => 0) {
  return { data: Uint8Array.from({ length: h * w * 3 }, (_, i) => fill(i)), shape: [h, w, 3] as [number, number, 3] };
}

/** A logger that keeps its warnings. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, level: 'debug', debug() {}, info() {}, warn: (m) => warnings.push(m), error() {}, addFile() {} };
}

describe('DetDataPreprocessor', () => {
  it('swaps BGR to RGB, then normalises each channel with its own mean and std', () => {
    const pre = new DetDataPreprocessor({ mean: [1, 2, 3], std: [2, 4, 8], bgr_to_rgb: true });
    const batch: DetBatch = { inputs: [{ data: Uint8Array.of(10, 20, 30, 40, 50, 60), shape: [1, 2, 3] }], data_samples: [sample(1, 2)] };
    const { inputs } = pre.forward(batch);
    expect(inputs.shape).toEqual([1, 1, 2, 3]);
    // Pixel 0 is BGR (10, 20, 30) → RGB (30, 20, 10) → ((30 − 1)/2, (20 − 2)/4, (10 − 3)/8).
    expect(Array.from(inputs.dataSync())).toEqual([14.5, 4.5, 0.875, 29.5, 12, 4.625]);
    inputs.dispose();
  });

  it('keeps the channel order without a swap, and broadcasts a single mean and std', () => {
    const pre = new DetDataPreprocessor({ mean: [10], std: [10] });
    const { inputs } = pre.forward({ inputs: [{ data: Float32Array.of(10, 20, 30), shape: [1, 1, 3] }], data_samples: [sample(1, 1)] });
    expect(Array.from(inputs.dataSync())).toEqual([0, 1, 2]);
    inputs.dispose();
  });

  it('pads top-left aligned images to the batch maximum rounded up to pad_size_divisor, with pad_value after normalisation', () => {
    const pre = new DetDataPreprocessor({ mean: [100, 100, 100], std: [50, 50, 50], pad_size_divisor: 4, pad_value: -7 });
    const batch: DetBatch = { inputs: [image(5, 7, () => 150), image(3, 10, () => 50)], data_samples: [sample(5, 7), sample(3, 10)] };
    const { inputs, data_samples } = pre.forward(batch);
    // max h 5 → 8, max w 10 → 12.
    expect(inputs.shape).toEqual([2, 8, 12, 3]);
    const values = inputs.arraySync();
    expect(values[0]![4]![6]).toEqual([1, 1, 1]); // inside image 0: (150 − 100) / 50
    expect(values[0]![5]![0]).toEqual([-7, -7, -7]); // below image 0
    expect(values[0]![0]![7]).toEqual([-7, -7, -7]); // right of image 0
    expect(values[1]![2]![9]).toEqual([-1, -1, -1]); // inside image 1
    expect(values[1]![3]![9]).toEqual([-7, -7, -7]);
    expect(data_samples.map((s) => s.metainfo.batch_input_shape)).toEqual([[8, 12], [8, 12]]);
    // pad_shape: each image's own size rounded up to the divisor, as mmdet's _get_pad_shape.
    expect(data_samples.map((s) => s.metainfo.pad_shape)).toEqual([[8, 8], [4, 12]]);
    inputs.dispose();
  });

  it('returns copies of the samples and leaves the batch as it was', () => {
    const batch: DetBatch = { inputs: [image(4, 4)], data_samples: [sample(4, 4, [0, 0, 2, 2], [1])] };
    const { inputs, data_samples } = new DetDataPreprocessor({ pad_size_divisor: 8 }).forward(batch);
    expect(batch.data_samples[0]!.metainfo.pad_shape).toBeUndefined();
    expect(data_samples[0]!.metainfo.pad_shape).toEqual([8, 8]);
    inputs.dispose();
  });

  it('drops GT boxes of zero width or height after clipping to img_shape, counts them and warns once per batch', () => {
    const pre = new DetDataPreprocessor();
    const logger = recordingLogger();
    pre.logger = logger;
    // Kept: a normal box and one partly outside (kept unclipped). Dropped: zero width, and one right of the image.
    const boxes = [1, 1, 5, 5, 3, 2, 3, 6, -4, 2, 4, 6, 12, 0, 16, 4];
    const batch: DetBatch = { inputs: [image(8, 10)], data_samples: [sample(8, 10, boxes, [0, 1, 2, 3])] };
    const { inputs, data_samples, numDroppedBoxes } = pre.forward(batch);
    expect(numDroppedBoxes).toBe(2);
    expect(Array.from(data_samples[0]!.gt_instances!.bboxes)).toEqual([1, 1, 5, 5, -4, 2, 4, 6]);
    expect(Array.from(data_samples[0]!.gt_instances!.labels)).toEqual([0, 2]);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('dropped 2 GT boxes with width or height <= 0');
    pre.forward(batch).inputs.dispose();
    expect(pre.numDroppedBoxes).toBe(4);
    inputs.dispose();
  });

  it('creates exactly one tensor per call', () => {
    const before = tf.memory().numTensors;
    const { inputs } = new DetDataPreprocessor().forward({ inputs: [image(2, 2)], data_samples: [sample(2, 2)] });
    expect(tf.memory().numTensors).toBe(before + 1);
    inputs.dispose();
  });

  it('reports option errors with their config path', () => {
    const build = (cfg: Record<string, unknown>) => () => MODELS.build({ type: 'DetDataPreprocessor', ...cfg }, { path: 'model.data_preprocessor' });
    expect(build({ mean: [1, 2, 3] })).toThrow(ConfigValidationError);
    expect(build({ mean: [1, 2, 3] })).toThrow('model.data_preprocessor.std: mean and std must be given together');
    expect(build({ bgr_to_rgb: true, rgb_to_bgr: true })).toThrow('model.data_preprocessor.rgb_to_bgr: bgr_to_rgb and rgb_to_bgr cannot both be true');
    expect(build({ mean: [1, 2] , std: [1, 2] })).toThrow('model.data_preprocessor.mean: expected 1 or 3 values');
  });
});
