import type { DetDataSample } from '@detlab/tensor';
import { describe, expect, it } from 'vitest';
import { AnchorGenerator } from '../task-utils/anchor-generator.js';
import { ATSSAssigner } from '../task-utils/atss-assigner.js';
import { atssTargets, centernessTarget, type AtssTargetsInput } from './atss-targets.js';

// One level, stride 8, a 4×4 feature map of a 32×32 image: 16 square anchors of side 16 centred on (8x, 8y).
const anchorGenerator = new AnchorGenerator({ strides: [8], ratios: [1], octave_base_scale: 2, scales_per_octave: 1 });
const featmapSizes: Array<[number, number]> = [[4, 4]];

function sample(size: number, boxes: number[] = [], labels: number[] = [], padShape: [number, number] = [size, size]): DetDataSample {
  return {
    gt_instances: { bboxes: Float32Array.from(boxes), labels: Int32Array.from(labels) },
    metainfo: { ori_shape: [size, size], img_shape: [size, size], scale_factor: [1, 1], pad_shape: padShape, batch_input_shape: [32, 32] },
  };
}

function targets(dataSamples: DetDataSample[], trainCfg = { allowed_border: -1, pos_weight: -1 }, topk = 4) {
  const input: AtssTargetsInput = { anchorGenerator, assigner: new ATSSAssigner({ topk }), featmapSizes, dataSamples, numClasses: 3, trainCfg };
  return atssTargets(input);
}

describe('atssTargets', () => {
  it('makes the four anchors around a GT centre positive (equal IoUs 0.391 = mean + std) and counts an empty image as 1 in avg_factor', () => {
    // GT [4, 4, 20, 20] is centred at (12, 12), √32 from the anchor centres (8, 8), (16, 8), (8, 16), (16, 16): the
    // topk = 4 candidates. Each overlaps it by 12×12 = 144 of a 368 union, so std = 0 and all four pass.
    const t = targets([sample(32, [4, 4, 20, 20], [2]), sample(32)]);
    expect(Array.from(t.posIndex)).toEqual([5, 6, 9, 10]); // (y·4 + x) for x, y ∈ {1, 2}
    expect(Array.from(t.posAnchors.subarray(0, 4))).toEqual([0, 0, 16, 16]);
    expect(Array.from(t.posGtBboxes)).toEqual([4, 4, 20, 20, 4, 4, 20, 20, 4, 4, 20, 20, 4, 4, 20, 20]);
    // Anchor centre (8, 8) in [4, 20]: l = t = 4, r = b = 12, so √(4/12 · 4/12) = 1/3 for each.
    for (const c of t.centernessTargets) expect(c).toBeCloseTo(1 / 3, 6);
    expect(t.avgFactor).toBe(4 + 1);
    expect(t.labels.length).toBe(32);
    expect(Array.from(t.labels).filter((l) => l === 2)).toHaveLength(4);
    expect(Array.from(t.labels).filter((l) => l === 3)).toHaveLength(28); // background = num_classes
    expect(Array.from(t.labelWeights).every((w) => w === 1)).toBe(true);
    expect(t.numLevelAnchors).toEqual([16]);
  });

  it("gives weight 0 to anchors beyond an image's own pad_shape in a padded batch", () => {
    // Image 1 is 16×16 inside the 32×32 batch: ceil(16 / 8) = 2 valid rows and columns, 4 of its 16 anchors.
    const t = targets([sample(32, [4, 4, 20, 20], [0]), sample(16, [], [], [16, 16])]);
    const image1 = Array.from(t.labelWeights.subarray(16));
    expect(image1.filter((w) => w === 1)).toHaveLength(4);
    expect([0, 1, 4, 5].every((k) => image1[k] === 1)).toBe(true);
  });

  it('with allowed_border 0 trains only anchors lying inside img_shape', () => {
    // Side-16 anchors centred on 8x lie inside [0, 32) for x ∈ {1, 2}: 2 × 2 anchors.
    const t = targets([sample(32)], { allowed_border: 0, pos_weight: -1 });
    expect(Array.from(t.labelWeights).filter((w) => w === 1)).toHaveLength(4);
  });

  it('weighs positives by pos_weight when it is positive', () => {
    const t = targets([sample(32, [4, 4, 20, 20], [1])], { allowed_border: -1, pos_weight: 2.5 });
    expect(Array.from(t.posIndex, (k) => t.labelWeights[k])).toEqual([2.5, 2.5, 2.5, 2.5]);
  });

  it('trains an image without GT boxes as negatives only', () => {
    const t = targets([sample(32), sample(32)]);
    expect(t.posIndex.length).toBe(0);
    expect(t.avgFactor).toBe(2);
    expect(Array.from(t.labels).every((l) => l === 3)).toBe(true);
  });

  it('centernessTarget is √(min(l,r)/max(l,r) · min(t,b)/max(t,b)) of the anchor centre', () => {
    expect(centernessTarget([0, 0, 20, 20], [0, 0, 40, 20])).toBeCloseTo(Math.sqrt(10 / 30), 6);
    expect(centernessTarget([0, 0, 20, 20], [0, 0, 20, 20])).toBe(1);
  });
});
