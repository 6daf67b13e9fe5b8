import { describe, expect, it } from 'vitest';
import { collate, transferables } from './collate.js';

const sample = (id: number) => ({
  input: { data: new Uint8Array(3), shape: [1, 1, 3] as [number, number, 3] },
  data_sample: { metainfo: { img_id: id, ori_shape: [1, 1] as [number, number], img_shape: [1, 1] as [number, number], scale_factor: [1, 1] as [number, number] } },
});

describe('collate', () => {
  it('lists inputs and data samples in order', () => {
    const [a, b] = [sample(1), sample(2)];
    const batch = collate([a, b]);
    expect(batch.inputs).toEqual([a.input, b.input]);
    expect(batch.data_samples.map((s) => s.metainfo.img_id)).toEqual([1, 2]);
  });
});

describe('transferables', () => {
  it('finds each buffer once, through nested objects, and skips shared ones', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(4));
    const boxes = new Float32Array(8);
    const value = [{ a: boxes, b: boxes.subarray(4), c: { d: [new Int32Array(2)] }, shared, n: 3, s: 'x' }];
    const found = transferables(value);
    expect(found).toHaveLength(2);
    expect(found).toContain(boxes.buffer);
  });
});
