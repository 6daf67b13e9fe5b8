import { describe, expect, it } from 'vitest';
import { readSample } from './metric-sample.js';

const prediction = { bboxes: Float32Array.of(1, 2, 3, 4), scores: Float32Array.of(0.5), labels: Int32Array.of(2) };

describe('readSample', () => {
  it("reads a bare prediction, taking img_id and ori_shape from the batch's data sample", () => {
    const read = readSample(prediction, { metainfo: { img_id: 42, ori_shape: [480, 640] } });
    expect(read).toEqual({ imgId: 42, bboxes: prediction.bboxes, scores: prediction.scores, labels: prediction.labels, oriShape: [480, 640], instances: undefined });
    expect(read.bboxes).not.toBe(prediction.bboxes); // copied: the loop may reuse its arrays
  });

  it('reads mmdet samples with pred_instances and img_id at the top or in metainfo, and tensors through dataSync', () => {
    const tensor = (values: number[]) => ({ dataSync: () => Float32Array.from(values) });
    const instances = [{ bbox: [0, 0, 4, 4], bbox_label: 0 }];
    expect(readSample({ img_id: '7', instances, pred_instances: prediction }, undefined)).toMatchObject({ imgId: 7, instances });
    const fromTensors = readSample({ metainfo: { img_id: 3 }, pred_instances: { bboxes: tensor([1, 2, 3, 4]), scores: tensor([0.5]), labels: tensor([1]) } }, undefined);
    expect([fromTensors.imgId, [...fromTensors.labels]]).toEqual([3, [1]]);
  });

  it('names what is missing or inconsistent', () => {
    expect(() => readSample(prediction, undefined)).toThrow(
      "CocoMetric.process: expected a numeric img_id in each output, its metainfo or the batch's data_samples[i].metainfo, got undefined",
    );
    expect(() => readSample({ img_id: 7 } as never, undefined)).toThrow('CocoMetric.process: image 7: expected a prediction { bboxes, scores, labels } or a sample with pred_instances');
    const bad = { bboxes: new Float32Array(4), scores: new Float32Array(2), labels: new Int32Array(2) };
    expect(() => readSample(bad, { metainfo: { img_id: 7 } })).toThrow(
      'CocoMetric.process: image 7: expected 4 box values, 1 score and 1 label per detection, got 4 box values, 2 scores and 2 labels',
    );
  });
});
