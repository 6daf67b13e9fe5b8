/**
 * Anchors for every location of every feature level; mirrors mmdet `AnchorGenerator`
 * (`mmdet/models/task_modules/prior_generators/anchor_generator.py`).
 *
 * Each level has `ratios.length × scales.length` base anchors centred on `(center_offset·base_size, ...)` (or the
 * level's `centers` entry); the grid copies them to every feature-map location, shifted by `(x·stride_w,
 * y·stride_h)`. The order is mmdet's: location-major with x fastest, then the base anchors of that location,
 * so index `((y·W + x)·A + a)` is anchor a at (x, y). ATSS uses one square anchor of side 8·stride whose centre
 * is the cell's top-left corner (center_offset 0).
 *
 * Departures from mmdet: `use_box_type` is not accepted (boxes are always plain x1y1x2y2 arrays).
 *
 * @example
 * anchor_generator: { type: 'AnchorGenerator', ratios: [1.0], octave_base_scale: 8, scales_per_octave: 1,
 *   strides: [8, 16, 32, 64, 128] }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, TASK_UTILS } from '@detlab/core';
import { z } from 'zod';

/** A stride given as one number (square) or as mmdet's `(stride_w, stride_h)` pair. */
const strideSchema = z.union([z.number().positive(), z.tuple([z.number().positive(), z.number().positive()])]);

/**
 * Options of `AnchorGenerator`, validated, with mmdet's defaults and its cross-key assertions.
 *
 * @example
 * anchorGeneratorSchema.parse({ strides: [8, 16], ratios: [1], octave_base_scale: 8, scales_per_octave: 1 });
 */
export const anchorGeneratorSchema = z
  .strictObject({
    /** Per-level stride in pixels of the input: a number or `[stride_w, stride_h]`. */
    strides: z.array(strideSchema).min(1),
    /** Height / width of the anchors. */
    ratios: z.array(z.number().positive()).min(1),
    /** Anchor side as a multiple of base_size; excludes octave_base_scale and scales_per_octave. */
    scales: z.array(z.number().positive()).min(1).nullable().default(null),
    /** Per-level side before scaling, in pixels; defaults to each level's (smaller) stride. */
    base_sizes: z.array(z.number().positive()).nullable().default(null),
    /** With true (mmdet's default) the ratios vary slowest and the scales fastest among a location's anchors. */
    scale_major: z.boolean().default(true),
    /** scales = octave_base_scale · 2^(i / scales_per_octave), i = 0 … scales_per_octave − 1 (RetinaNet, ATSS). */
    octave_base_scale: z.number().positive().nullable().default(null),
    scales_per_octave: z.int().positive().nullable().default(null),
    /** Per-level base-anchor centre (x, y) in pixels; only with center_offset 0. */
    centers: z.array(z.tuple([z.number(), z.number()])).nullable().default(null),
    /** Base-anchor centre as a fraction of base_size: 0 is the cell's top-left corner, 0.5 its middle. */
    center_offset: z.number().min(0).max(1).default(0),
  })
  .superRefine((o, ctx) => {
    const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
    const octave = o.octave_base_scale !== null && o.scales_per_octave !== null;
    if (octave === (o.scales !== null)) {
      issue('scales', 'expected either scales or octave_base_scale with scales_per_octave, not both and not neither');
    }
    if (o.base_sizes !== null && o.base_sizes.length !== o.strides.length) {
      issue('base_sizes', `expected ${o.strides.length} entries (one per stride), got ${o.base_sizes.length}`);
    }
    if (o.centers !== null && o.centers.length !== o.strides.length) {
      issue('centers', `expected ${o.strides.length} entries (one per stride), got ${o.centers.length}`);
    }
    if (o.centers !== null && o.center_offset !== 0) issue('centers', `cannot be set when center_offset is not 0 (got ${o.center_offset})`);
  });

/**
 * Options of `AnchorGenerator`, keys as in MMDetection configs.
 *
 * @example
 * const options: AnchorGeneratorOptions = { strides: [8, 16, 32, 64, 128], ratios: [1], octave_base_scale: 8, scales_per_octave: 1 };
 */
export type AnchorGeneratorOptions = z.input<typeof anchorGeneratorSchema>;

/**
 * Multi-level anchor generator; see the file comment.
 *
 * @example
 * anchor_generator: { type: 'AnchorGenerator', ratios: [0.5, 1.0, 2.0], scales: [8], strides: [4, 8, 16, 32, 64] }
 */
@TASK_UTILS.register({ name: 'AnchorGenerator', schema: anchorGeneratorSchema, description: 'Grid anchors per FPN level (mmdet AnchorGenerator).' })
export class AnchorGenerator {
  readonly options: z.output<typeof anchorGeneratorSchema>;
  /** Per level `[stride_w, stride_h]` in pixels. */
  readonly strides: ReadonlyArray<readonly [number, number]>;
  /** The anchor scales shared by all levels. */
  readonly scales: readonly number[];
  /** Per level the base anchors at grid point (0, 0): a flat [A, 4] x1y1x2y2 array. */
  readonly baseAnchors: readonly Float32Array[];

  constructor(options: AnchorGeneratorOptions) {
    const o = (this.options = anchorGeneratorSchema.parse(options));
    this.strides = o.strides.map((s): readonly [number, number] => (typeof s === 'number' ? [s, s] : [s[0], s[1]]));
    this.scales =
      o.scales ?? Array.from({ length: o.scales_per_octave! }, (_, i) => o.octave_base_scale! * 2 ** (i / o.scales_per_octave!));
    const baseSizes = o.base_sizes ?? this.strides.map(([w, h]) => Math.min(w, h));
    this.baseAnchors = baseSizes.map((size, level) => this.levelBaseAnchors(size, o.centers?.[level]));
  }

  /** Number of feature levels. */
  get numLevels(): number {
    return this.strides.length;
  }

  /** Anchors per location on each level (ratios × scales). */
  get numBaseAnchors(): number[] {
    return this.baseAnchors.map((a) => a.length / 4);
  }

  /** mmdet's newer name for `numBaseAnchors`. */
  get numBasePriors(): number[] {
    return this.numBaseAnchors;
  }

  /**
   * Per level a flat [H·W·A, 4] x1y1x2y2 array: the base anchors shifted to every location of a featmap of
   * `featmapSizes[level] = [H, W]`, location-major with x fastest, then the A base anchors.
   */
  gridPriors(featmapSizes: ReadonlyArray<readonly [number, number]>): Float32Array[] {
    this.checkLevels(featmapSizes, 'gridPriors');
    return featmapSizes.map(([h, w], level) => this.levelGridPriors(level, h, w));
  }

  /** `gridPriors` as one tf.Tensor2D [H·W·A, 4] per level; the caller disposes them. */
  gridPriorsTensor(featmapSizes: ReadonlyArray<readonly [number, number]>): tf.Tensor2D[] {
    return this.gridPriors(featmapSizes).map((priors) => tf.tensor2d(priors, [priors.length / 4, 4], 'float32'));
  }

  /**
   * Per level a [H·W·A] mask (1 valid, 0 not) of the anchors whose location lies inside the unpadded image of
   * `padShape = [h, w]` (mmdet `valid_flags`): a location x is valid when x < ceil(w / stride_w).
   */
  validFlags(featmapSizes: ReadonlyArray<readonly [number, number]>, padShape: readonly [number, number]): Uint8Array[] {
    this.checkLevels(featmapSizes, 'validFlags');
    return featmapSizes.map(([featH, featW], level) => {
      const [strideW, strideH] = this.strides[level]!;
      const validH = Math.min(Math.ceil(padShape[0] / strideH), featH);
      const validW = Math.min(Math.ceil(padShape[1] / strideW), featW);
      const numAnchors = this.baseAnchors[level]!.length / 4;
      const flags = new Uint8Array(featH * featW * numAnchors);
      for (let y = 0; y < validH; y += 1) flags.fill(1, y * featW * numAnchors, (y * featW + validW) * numAnchors);
      return flags;
    });
  }

  /**
   * mmdet `gen_single_level_base_anchors`: [A, 4] around the level's centre. Every step is rounded to float32
   * (`f`) in torch's order, so the anchors equal mmdet's bit for bit, not just to 1e-6.
   */
  private levelBaseAnchors(baseSize: number, center: readonly [number, number] | undefined): Float32Array {
    const { ratios, scale_major: scaleMajor, center_offset: offset } = this.options;
    const f = Math.fround;
    baseSize = f(baseSize);
    // mmdet offsets by base_size (not stride); they are equal unless base_sizes is given.
    const [cx, cy] = (center ?? [offset * baseSize, offset * baseSize]).map(f) as [number, number];
    // h/w = ratio at constant area: h_ratio = sqrt(ratio), w_ratio = 1 / h_ratio.
    const ratioFactors = ratios.map((r) => {
      const hRatio = f(Math.sqrt(f(r)));
      return [f(1 / hRatio), hRatio] as const;
    });
    const scales = this.scales.map(f);
    const sides: Array<[number, number]> = [];
    // torch multiplies left to right: base·ratio·scale when scale_major, base·scale·ratio otherwise.
    if (scaleMajor) {
      for (const [wr, hr] of ratioFactors) for (const s of scales) sides.push([f(f(baseSize * wr) * s), f(f(baseSize * hr) * s)]);
    } else {
      for (const s of scales) for (const [wr, hr] of ratioFactors) sides.push([f(f(baseSize * s) * wr), f(f(baseSize * s) * hr)]);
    }
    const anchors = new Float32Array(sides.length * 4); // storing rounds cx ± w/2 to float32, as torch does
    sides.forEach(([w, h], a) => anchors.set([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], 4 * a));
    return anchors;
  }

  /** mmdet `single_level_grid_priors`: base anchors + (x·stride_w, y·stride_h) shifts, x fastest. */
  private levelGridPriors(level: number, featH: number, featW: number): Float32Array {
    const base = this.baseAnchors[level]!;
    const [strideW, strideH] = this.strides[level]!;
    const out = new Float32Array(featH * featW * base.length);
    let k = 0;
    for (let y = 0; y < featH; y += 1) {
      const sy = y * strideH;
      for (let x = 0; x < featW; x += 1) {
        const sx = x * strideW;
        // Adding to the float32 base anchors and rounding once gives torch's float32 sum bit for bit.
        for (let i = 0; i < base.length; i += 4) {
          out[k++] = base[i]! + sx;
          out[k++] = base[i + 1]! + sy;
          out[k++] = base[i + 2]! + sx;
          out[k++] = base[i + 3]! + sy;
        }
      }
    }
    return out;
  }

  /** Throws unless there is one non-negative integer [h, w] per level. */
  private checkLevels(featmapSizes: ReadonlyArray<readonly [number, number]>, method: string): void {
    if (featmapSizes.length !== this.numLevels) {
      throw new DetlabError(
        `AnchorGenerator.${method}: expected ${this.numLevels} featmap sizes (one per stride), got ${featmapSizes.length}`,
      );
    }
    for (const [level, size] of featmapSizes.entries()) {
      if (size.length !== 2 || !size.every((v) => Number.isInteger(v) && v >= 0)) {
        throw new DetlabError(`AnchorGenerator.${method}: featmapSizes[${level}] must be [h, w] with integers >= 0, got ${JSON.stringify(size)}`);
      }
    }
  }
}
