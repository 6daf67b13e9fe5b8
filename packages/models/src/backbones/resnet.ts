/**
 * ResNet (He et al., "Deep Residual Learning for Image Recognition", 2016) as a detection backbone; mirrors
 * mmdet `ResNet` (`mmdet/models/backbones/resnet.py`) and, for the weights, torchvision's `resnet*`.
 *
 * The stem (7×7/2 conv `conv1`, norm `bn1`, relu, 3×3/2 max pool) is followed by up to four stages `layer1`..
 * `layer4` of BasicBlocks (depth 18, 34) or Bottlenecks (50, 101, 152). `forward` returns the feature maps of
 * the stages in `out_indices`, at strides 4, 8, 16, 32 with 64·e, 128·e, 256·e, 512·e channels (e = block
 * expansion, scaled by base_channels / 64). Parameter names and counts equal torchvision's without `fc`.
 *
 * Departures from mmdet, each for a reason:
 * - `strides`, `dilations` and `out_indices` default to the first `num_stages` entries of mmdet's defaults,
 *   so `num_stages: 3` works alone (mmdet asserts the lengths match and makes you write all three).
 * - Dilations other than 1, `deep_stem`, `avg_down`, DCN and plugins are not implemented; such configs fail
 *   validation with a message saying so.
 * - `zero_init_residual` overrides the last norm by its child name (`bn3`, `gn3`), where mmdet writes `norm3`,
 *   a Python property our init lookup cannot see; the effect is the same.
 *
 * @example
 * backbone: { type: 'ResNet', depth: 50, num_stages: 4, out_indices: [0, 1, 2, 3], frozen_stages: 1,
 *   norm_cfg: { type: 'BN', requires_grad: true }, norm_eval: true, style: 'pytorch' }
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import {
  BatchNorm2d,
  MaxPool2d,
  Module,
  ReLU,
  buildConvLayer,
  buildNormLayer,
  convCfgSchema,
  initCfgSchema,
  normCfgSchema,
  type Conv2d,
  type InitCfg,
  type Layer,
} from '@detlab/tensor';
import { z } from 'zod';
import { BasicBlock } from './basic-block.js';
import { Bottleneck } from './bottleneck.js';
import { ResLayer, type ResBlockClass } from './res-layer.js';

/** Block type and blocks per stage for each depth (mmdet `ResNet.arch_settings`). */
const ARCH_SETTINGS: Record<ResNetDepth, { block: ResBlockClass; stageBlocks: readonly number[] }> = {
  18: { block: BasicBlock, stageBlocks: [2, 2, 2, 2] },
  34: { block: BasicBlock, stageBlocks: [3, 4, 6, 3] },
  50: { block: Bottleneck, stageBlocks: [3, 4, 6, 3] },
  101: { block: Bottleneck, stageBlocks: [3, 4, 23, 3] },
  152: { block: Bottleneck, stageBlocks: [3, 8, 36, 3] },
};

/** mmdet's defaults for four stages; fewer stages take the first entries. */
const DEFAULT_STRIDES = [1, 2, 2, 2];
const DEFAULT_OUT_INDICES = [0, 1, 2, 3];

/**
 * Depths with a known architecture.
 *
 * @example
 * { type: 'ResNet', depth: 101 }
 */
export type ResNetDepth = 18 | 34 | 50 | 101 | 152;

/** A check for a key whose feature is missing: only its "off" value passes, and the message says why. */
function notImplemented<T extends z.ZodType>(schema: T, isOff: (value: z.output<T>) => boolean, what: string, off: string) {
  return schema.refine(isOff, `${what} is not implemented in detlab yet; expected ${off}`);
}

/**
 * Options of `ResNet`, validated, with mmdet's defaults; cross-key checks name the key at fault.
 *
 * @example
 * resnetSchema.parse({ depth: 50, frozen_stages: 1 }); // norm_eval true, style 'pytorch', zero_init_residual true
 */
export const resnetSchema = z
  .strictObject({
    depth: z.literal([18, 34, 50, 101, 152]),
    in_channels: z.int().positive().default(3),
    /** Width of the stem; defaults to base_channels. */
    stem_channels: z.int().positive().optional(),
    /** Inner width of the first stage; each later stage doubles it. */
    base_channels: z.int().positive().default(64),
    num_stages: z.int().min(1).max(4).default(4),
    /** Stride of each stage's first block; defaults to [1, 2, 2, 2] cut to num_stages. */
    strides: z.array(z.int().positive()).optional(),
    /** Only 1 is implemented. */
    dilations: z.array(notImplemented(z.int().positive(), (d) => d === 1, 'dilation > 1', '1')).optional(),
    /** Stages whose outputs forward returns; defaults to all num_stages. */
    out_indices: z.array(z.int().nonnegative()).min(1).optional(),
    style: z.enum(['pytorch', 'caffe']).default('pytorch'),
    deep_stem: notImplemented(z.boolean(), (v) => !v, 'deep_stem (ResNetV1c)', 'false').default(false),
    avg_down: notImplemented(z.boolean(), (v) => !v, 'avg_down (ResNetV1d)', 'false').default(false),
    /** Stem (0) and stages 1..k kept in eval mode with requires_grad off; -1 freezes nothing. */
    frozen_stages: z.int().min(-1).max(4).default(-1),
    conv_cfg: convCfgSchema.default(null),
    norm_cfg: normCfgSchema.default({ type: 'BN', requires_grad: true }),
    /** Keep every batch norm in eval mode (running statistics, no updates) during train(). */
    norm_eval: z.boolean().default(true),
    dcn: notImplemented(z.unknown(), (v) => v === null, 'dcn', 'null').optional(),
    stage_with_dcn: z.array(notImplemented(z.boolean(), (v) => !v, 'dcn', 'false')).optional(),
    plugins: notImplemented(z.unknown(), (v) => v === null, 'plugins', 'null').optional(),
    /** Accepted for config compatibility: gradient checkpointing does not exist in tfjs. */
    with_cp: z.boolean().default(false),
    /** Zero the last norm of every block, so each residual branch starts as the identity (Goyal et al., 2017). */
    zero_init_residual: z.boolean().default(true),
    init_cfg: initCfgSchema.optional(),
  })
  .superRefine((o, ctx) => {
    const stages = o.num_stages;
    const lengthIssue = (key: 'strides' | 'dilations' | 'stage_with_dcn', value: unknown[] | undefined) => {
      if (value !== undefined && value.length !== stages) {
        ctx.addIssue({ code: 'custom', path: [key], message: `expected ${stages} entries (one per stage, num_stages = ${stages}), got ${value.length}` });
      }
    };
    lengthIssue('strides', o.strides);
    lengthIssue('dilations', o.dilations);
    lengthIssue('stage_with_dcn', o.stage_with_dcn);
    o.out_indices?.forEach((index, i) => {
      if (index >= stages) ctx.addIssue({ code: 'custom', path: ['out_indices', i], message: `expected a stage index below num_stages = ${stages}, got ${index}` });
    });
    if (o.frozen_stages > stages) {
      ctx.addIssue({ code: 'custom', path: ['frozen_stages'], message: `expected at most num_stages = ${stages}, got ${o.frozen_stages}` });
    }
  });

/**
 * Options of `ResNet`, keys as in MMDetection configs.
 *
 * @example
 * const options: ResNetOptions = { depth: 18, base_channels: 16, out_indices: [1, 2, 3] };
 */
export type ResNetOptions = z.input<typeof resnetSchema>;

/**
 * ResNet backbone; see the file comment.
 *
 * @example
 * backbone: { type: 'ResNet', depth: 50, frozen_stages: 1, norm_cfg: { type: 'BN', requires_grad: true }, norm_eval: true }
 */
@MODELS.register({ name: 'ResNet', schema: resnetSchema, description: 'ResNet backbone (mmdet ResNet, torchvision weights).' })
export class ResNet extends Module {
  readonly options: z.output<typeof resnetSchema>;
  readonly conv1: Conv2d;
  readonly norm1: Layer;
  readonly relu: ReLU;
  readonly maxpool: MaxPool2d;
  /** `layer1`, `layer2`, ... in order. */
  readonly resLayers: ResLayer[] = [];
  /** Channels of each stage's output, in stage order. */
  readonly stageChannels: number[] = [];
  private readonly outIndices: ReadonlySet<number>;

  constructor(options: ResNetOptions) {
    super();
    const o = (this.options = resnetSchema.parse(options));
    const { block, stageBlocks } = ARCH_SETTINGS[o.depth];
    const stemChannels = o.stem_channels ?? o.base_channels;
    const strides = o.strides ?? DEFAULT_STRIDES.slice(0, o.num_stages);
    this.outIndices = new Set(o.out_indices ?? DEFAULT_OUT_INDICES.slice(0, o.num_stages));
    this.initCfg = o.init_cfg ?? DEFAULT_INIT_CFG;

    this.conv1 = this.registerModule(
      'conv1',
      buildConvLayer(o.conv_cfg, { in_channels: o.in_channels, out_channels: stemChannels, kernel_size: 7, stride: 2, padding: 3, bias: false }),
    );
    const norm1 = buildNormLayer(o.norm_cfg, stemChannels, 1, 'norm_cfg');
    this.norm1 = this.registerModule(norm1.name, norm1.layer);
    this.relu = this.registerModule('relu', new ReLU());
    this.maxpool = this.registerModule('maxpool', new MaxPool2d({ kernel_size: 3, stride: 2, padding: 1 }));

    let inplanes = stemChannels;
    for (let i = 0; i < o.num_stages; i += 1) {
      const planes = o.base_channels * 2 ** i;
      const layer = new ResLayer({ block, num_blocks: stageBlocks[i]!, inplanes, planes, stride: strides[i], style: o.style, conv_cfg: o.conv_cfg, norm_cfg: o.norm_cfg });
      // mmdet zeroes each block's last norm only when the default init_cfg is in use.
      if (o.zero_init_residual && o.init_cfg === undefined) {
        for (const b of layer.blocks) b.initCfg = { type: 'Constant', val: 0, override: { name: b.lastNormName } };
      }
      this.resLayers.push(this.registerModule(`layer${i + 1}`, layer));
      inplanes = planes * block.expansion;
      this.stageChannels.push(inplanes);
    }
    this.freezeStages();
  }

  /** [N, H, W, in_channels] → the maps of `out_indices`, stage i at [N, H/2^(i+2), W/2^(i+2), stageChannels[i]]. */
  forward(x: tf.Tensor4D): tf.Tensor4D[] {
    return tf.tidy(() => {
      let y = this.maxpool.forward(this.relu.forward(this.norm1.forward(this.conv1.forward(x)))); // [N, H/4, W/4, stem]
      const outs: tf.Tensor4D[] = [];
      this.resLayers.forEach((layer, i) => {
        y = layer.forward(y); // [N, H/2^(i+2), W/2^(i+2), stageChannels[i]]
        if (this.outIndices.has(i)) outs.push(y);
      });
      return outs;
    });
  }

  /** Sets train/eval mode, then re-freezes the frozen stages and, with `norm_eval`, puts every batch norm in eval. */
  override train(mode = true): this {
    super.train(mode);
    this.freezeStages();
    if (mode && this.options.norm_eval) {
      for (const [, m] of this.namedModules()) if (m instanceof BatchNorm2d) m.eval();
    }
    return this;
  }

  /** mmdet `_freeze_stages`: the stem (frozen_stages ≥ 0) and layer1..layer{frozen_stages} in eval, no gradients. */
  private freezeStages(): void {
    const frozen = this.options.frozen_stages;
    if (frozen >= 0) {
      this.norm1.eval();
      this.conv1.requiresGrad(false);
      this.norm1.requiresGrad(false);
    }
    for (const layer of this.resLayers.slice(0, Math.max(frozen, 0))) layer.eval().requiresGrad(false);
  }
}

/** mmdet's default: Kaiming (fan_out, normal) on convs, weight 1 and bias 0 on norms. */
const DEFAULT_INIT_CFG: InitCfg = [
  { type: 'Kaiming', layer: 'Conv2d' },
  { type: 'Constant', val: 1, layer: ['_BatchNorm', 'GroupNorm'] },
];
