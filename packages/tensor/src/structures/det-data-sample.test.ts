import { describe, expect, it } from 'vitest';
import { assertDetBatch, numInstances, type DetBatch } from './det-data-sample.js';

const metainfo = { ori_shape: [2, 2] as [number, number], img_shape: [2, 2] as [number, number], scale_factor: [1, 1] as [number, number] };

function batch(overrides: Partial<DetBatch> = {}): DetBatch {
  return {
    inputs: [{ data: new Uint8Array(12), shape: [2, 2, 3] }],
    data_samples: [{ gt_instances: { bboxes: Float32Array.of(0, 0, 1, 1), labels: Int32Array.of(0) }, metainfo }],
    ...overrides,
  };
}

describe('DetBatch contract', () => {
  it('accepts a well-formed batch and counts its instances', () => {
    expect(() => assertDetBatch(batch(), 'test')).not.toThrow();
    expect(numInstances(batch().data_samples[0]!)).toBe(1);
    expect(numInstances({ metainfo })).toBe(0);
  });

  it('names the image and the sizes when the pixel count does not match the shape', () => {
    const bad = batch({ inputs: [{ data: new Uint8Array(10), shape: [2, 2, 3] }] });
    expect(() => assertDetBatch(bad, 'Pre.forward')).toThrow('Pre.forward: inputs[0].data: expected 2·2·3 = 12 values for shape [2, 2, 3], got 10');
  });

  it('rejects a batch with more samples than inputs', () => {
    const bad = batch({ data_samples: [...batch().data_samples, { metainfo }] });
    expect(() => assertDetBatch(bad, 'x')).toThrow('expected one data sample per input, got 1 inputs and 2 data_samples');
  });

  it('rejects boxes without 4 values per label and a missing img_shape', () => {
    const boxes = batch({ data_samples: [{ gt_instances: { bboxes: Float32Array.of(0, 0, 1), labels: Int32Array.of(0) }, metainfo }] });
    expect(() => assertDetBatch(boxes, 'x')).toThrow('data_samples[0].gt_instances: expected 4 box values per label, got 3 values for 1 labels');
    const meta = batch({ data_samples: [{ metainfo: { ...metainfo, img_shape: undefined as unknown as [number, number] } }] });
    expect(() => assertDetBatch(meta, 'x')).toThrow('data_samples[0].metainfo.img_shape: expected a pair of numbers, got undefined');
  });
});
