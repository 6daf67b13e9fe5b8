import * as tf from '@tensorflow/tfjs-core';
import { ConfigValidationError, TASK_UTILS } from '@detlab/core';
import { initBackend } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { AnchorGenerator, type AnchorGeneratorOptions } from './anchor-generator.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** atss_r50_fpn_1x_coco's anchor_generator. */
const ATSS: AnchorGeneratorOptions = { ratios: [1.0], octave_base_scale: 8, scales_per_octave: 1, strides: [8, 16, 32, 64, 128] };

/** Rows of 4 from a flat array, for readable expectations. */
const rows = (flat: Float32Array) => Array.from({ length: flat.length / 4 }, (_, i) => Array.from(flat.subarray(4 * i, 4 * i + 4)));

describe('AnchorGenerator', () => {
  it('makes one square anchor of side 8·stride per location for ATSS, centred on the top-left corner', () => {
    const generator = new AnchorGenerator(ATSS);
    expect(generator.numBaseAnchors).toEqual([1, 1, 1, 1, 1]);
    // side 64, 128, 256, 512, 1024; centre (0, 0) since center_offset is 0.
    expect(generator.baseAnchors.map((a) => Array.from(a))).toEqual([32, 64, 128, 256, 512].map((h) => [-h, -h, h, h]));
  });

  it('shifts the base anchors by (x·stride, y·stride), x fastest, on a 2×3 map', () => {
    const [level0, level1] = new AnchorGenerator(ATSS).gridPriors([[2, 3], [1, 2], [1, 1], [1, 1], [1, 1]]);
    // Level 0: stride 8, base [-32, -32, 32, 32]; locations (x, y) = (0,0) (8,0) (16,0) (0,8) (8,8) (16,8).
    expect(rows(level0!)).toEqual([
      [-32, -32, 32, 32],
      [-24, -32, 40, 32],
      [-16, -32, 48, 32],
      [-32, -24, 32, 40],
      [-24, -24, 40, 40],
      [-16, -24, 48, 40],
    ]);
    // Level 1: stride 16, base [-64, -64, 64, 64]; locations (0, 0) and (16, 0).
    expect(rows(level1!)).toEqual([
      [-64, -64, 64, 64],
      [-48, -64, 80, 64],
    ]);
  });

  it('orders several ratios and scales ratio-major (scale_major) with h/w = ratio at constant area', () => {
    // base 16 (= stride), centre 0.5·16 = 8. ratio r: h_ratio = sqrt(r), w_ratio = 1/sqrt(r), so
    // r = 0.25 → w = 32s, h = 8s; r = 1 → 16s square; r = 4 → w = 8s, h = 32s; scales s = 1, 2.
    const options = { strides: [16], ratios: [0.25, 1, 4], scales: [1, 2], center_offset: 0.5 };
    const generator = new AnchorGenerator(options);
    expect(generator.numBaseAnchors).toEqual([6]);
    const expected = [
      [-8, 4, 24, 12], // r 0.25, s 1: 32 × 8 around (8, 8)
      [-24, 0, 40, 16], // r 0.25, s 2: 64 × 16
      [0, 0, 16, 16], // r 1, s 1
      [-8, -8, 24, 24], // r 1, s 2
      [4, -8, 12, 24], // r 4, s 1: 8 × 32
      [0, -24, 16, 40], // r 4, s 2: 16 × 64
    ];
    const [grid] = generator.gridPriors([[1, 2]]);
    // Location (0, 0) carries the 6 base anchors, location (16, 0) the same shifted right by 16.
    expect(rows(grid!)).toEqual([...expected, ...expected.map(([x1, y1, x2, y2]) => [x1! + 16, y1, x2! + 16, y2])]);
    // scale_major false: scales vary slowest.
    const scaleMinor = new AnchorGenerator({ ...options, scale_major: false });
    expect(rows(scaleMinor.baseAnchors[0]!)).toEqual([0, 2, 4, 1, 3, 5].map((i) => expected[i]));
  });

  it("equals mmdet's float32 anchors bit for bit for ratio 0.5 (h_ratio = sqrt(0.5))", () => {
    const [base] = new AnchorGenerator({ strides: [4], ratios: [0.5], scales: [8] }).baseAnchors;
    // mmdet's float32 steps, replayed in numpy: h = sqrt(0.5), w = 1/h, ws = 4·w·8, hs = 4·h·8, ±ws/2, ±hs/2.
    expect(Array.from(base!)).toEqual([-22.627416610717773, -11.313708305358887, 22.627416610717773, 11.313708305358887]);
  });

  it('derives octave scales 2^(i / scales_per_octave) · octave_base_scale (RetinaNet)', () => {
    const generator = new AnchorGenerator({ strides: [8], ratios: [1], octave_base_scale: 4, scales_per_octave: 3 });
    expect(generator.scales).toEqual([4, 4 * 2 ** (1 / 3), 4 * 2 ** (2 / 3)]);
    expect(generator.numBaseAnchors).toEqual([3]);
  });

  it('takes (stride_w, stride_h) pairs, with base size the smaller one', () => {
    const generator = new AnchorGenerator({ strides: [[8, 4]], ratios: [1], scales: [1] });
    expect(rows(generator.gridPriors([[2, 2]])[0]!)).toEqual([
      [-2, -2, 2, 2],
      [6, -2, 10, 2],
      [-2, 2, 2, 6],
      [6, 2, 10, 6],
    ]);
  });

  it('centres base anchors on `centers` when given', () => {
    const generator = new AnchorGenerator({ strides: [8, 16], ratios: [1], scales: [1], centers: [[4, 4], [8, 8]] });
    expect(generator.baseAnchors.map((a) => Array.from(a))).toEqual([[0, 0, 8, 8], [0, 0, 16, 16]]);
  });

  it('flags the locations of a padded map that fall outside the unpadded image (valid_flags)', () => {
    // stride 8, image 10 × 12: ceil(10/8) = 2 rows, ceil(12/8) = 2 of the 3 columns are valid.
    const [flags] = new AnchorGenerator({ ...ATSS, strides: [8] }).validFlags([[2, 3]], [10, 12]);
    expect(Array.from(flags!)).toEqual([1, 1, 0, 1, 1, 0]);
  });

  it('returns the priors as [H·W·A, 4] tensors', () => {
    const tensors = new AnchorGenerator(ATSS).gridPriorsTensor([[2, 3], [1, 2], [1, 1], [1, 1], [0, 0]]);
    expect(tensors.map((t) => t.shape)).toEqual([[6, 4], [2, 4], [1, 4], [1, 4], [0, 4]]);
    expect(Array.from(tensors[1]!.dataSync())).toEqual([-64, -64, 64, 64, -48, -64, 80, 64]);
    tf.dispose(tensors);
  });

  it('is built from TASK_UTILS by its mmdet name', () => {
    const generator = TASK_UTILS.build<AnchorGenerator>({ type: 'AnchorGenerator', ...ATSS });
    expect(generator).toBeInstanceOf(AnchorGenerator);
    expect(generator.numLevels).toBe(5);
  });

  it('rejects scales together with octave settings, and per-level lists of the wrong length, naming the key', () => {
    const build = (extra: object) => () =>
      TASK_UTILS.build({ type: 'AnchorGenerator', ...ATSS, ...extra }, { path: 'model.bbox_head.anchor_generator' });
    expect(build({ scales: [8] })).toThrow(ConfigValidationError);
    expect(build({ scales: [8] })).toThrow(/anchor_generator\.scales: expected either scales or octave_base_scale/);
    expect(build({ base_sizes: [8, 16] })).toThrow(/anchor_generator\.base_sizes: expected 5 entries \(one per stride\), got 2/);
  });

  it('rejects featmap sizes that do not match the levels', () => {
    expect(() => new AnchorGenerator(ATSS).gridPriors([[2, 3]])).toThrow('AnchorGenerator.gridPriors: expected 5 featmap sizes (one per stride), got 1');
  });
});
