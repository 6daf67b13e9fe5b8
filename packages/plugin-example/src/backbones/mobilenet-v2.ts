/**
 * MobileNetV2 (Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks", 2018) as a detection
 * backbone; mirrors mmdet `MobileNetV2` (`mmdet/models/backbones/mobilenet_v2.py`), and at `widen_factor` 1 has
 * exactly the parameters of torchvision's `mobilenet_v2().features` (2,223,872).
 *
 * Layers, in mmdet's names: `conv1` (3×3/2 conv, 32·w channels), `layer1`..`layer7` of inverted residual blocks
 * with (expand ratio t, channels c, blocks n, stride s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1)
 * (6,160,3,2) (6,320,1,1), channels c·w rounded by `makeDivisible`, then `conv2` (1×1 to 1280, or 1280·w when
 * w > 1). `out_indices` index [layer1, ..., layer7, conv2] (0..7); the default (1, 2, 4, 7) gives strides
 * 4, 8, 16, 32 for an FPN with `start_level: 1`, as ResNet's four stages do.
 *
 * @example
 * backbone: { type: 'example.MobileNetV2', widen_factor: 1.0, out_indices: [2, 4, 7] }
 * neck: { type: 'FPN', in_channels: [32, 96, 1280], out_channels: 256, num_outs: 5, add_extra_convs: 'on_output' }
 */
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, ConvModule, Module, initCfgSchema, normCfgSchema, type InitCfg } from '@detlab/tensor';
import { z } from 'zod';
import { EXAMPLE_MODELS } from '../registry.js';
import { InvertedResidual } from './inverted-residual.js';

/** (expand ratio, output channels, blocks) per layer, mmdet `MobileNetV2.arch_settings`. */
const ARCH_SETTINGS: ReadonlyArray<readonly [number, number, number]> = [
  [1, 16, 1],
  [6, 24, 2],
  [6, 32, 3],
  [6, 64, 4],
  [6, 96, 3],
  [6, 160, 3],
  [6, 320, 1],
];
/** Stride of each layer's first block. */
const STRIDES = [1, 2, 2, 2, 1, 2, 1];
/** Layers that `out_indices` may name: layer1..layer7 and conv2. */
const NUM_OUTPUTS = 8;

/** Options of `MobileNetV2`, validated, with mmdet's defaults. */
export const mobileNetV2Schema = z
  .strictObject({
    /** Width multiplier on every layer's channels (rounded to multiples of 8). */
    widen_factor: z.number().positive().default(1),
    /** Indices into [layer1..layer7, conv2] whose outputs forward returns, each in 0..7. */
    out_indices: z.array(z.int().min(0).max(NUM_OUTPUTS - 1)).min(1).default([1, 2, 4, 7]),
    /** conv1 and layer1..layer{frozen_stages} kept in eval mode with requires_grad off; -1 freezes nothing. */
    frozen_stages: z.int().min(-1).max(NUM_OUTPUTS - 1).default(-1),
    norm_cfg: normCfgSchema.default({ type: 'BN', requires_grad: true }),
    act_cfg: z.looseObject({ type: z.string() }).default({ type: 'example.ReLU6' }),
    /** Keep every batch norm in eval mode during train(). */
    norm_eval: z.boolean().default(false),
    /** Accepted for config compatibility: gradient checkpointing does not exist in tfjs. */
    with_cp: z.boolean().default(false),
    init_cfg: initCfgSchema.optional(),
  })
  .superRefine((o, ctx) => {
    const seen = new Set<number>();
    o.out_indices.forEach((index, i) => {
      if (seen.has(index)) ctx.addIssue({ code: 'custom', path: ['out_indices', i], message: `expected each index once, got ${index} again` });
      seen.add(index);
    });
  });

/** Options of `MobileNetV2`, keys as in mmdet configs. */
export type MobileNetV2Options = z.input<typeof mobileNetV2Schema>;

/**
 * MobileNetV2 backbone; see the file comment.
 *
 * @example
 * const backbone = MODELS.build<MobileNetV2>({ type: 'example.MobileNetV2', widen_factor: 0.5 });
 * backbone.forward(images); // 4 maps at strides 4, 8, 16, 32
 */
@EXAMPLE_MODELS.register({ name: 'MobileNetV2', schema: mobileNetV2Schema, description: 'MobileNetV2 backbone (mmdet MobileNetV2, torchvision features).' })
export class MobileNetV2 extends Module {
  readonly options: z.output<typeof mobileNetV2Schema>;
  readonly conv1: ConvModule;
  /** layer1..layer7, then conv2: what `out_indices` indexes. */
  readonly layers: Array<{ forward(x: tf.Tensor4D): tf.Tensor4D }> = [];
  /** Output channels of each entry of `layers`. */
  readonly layerChannels: number[] = [];

  constructor(options: MobileNetV2Options = {}) {
    super();
    const o = (this.options = mobileNetV2Schema.parse(options));
    this.initCfg = o.init_cfg ?? DEFAULT_INIT_CFG;
    const common = { norm_cfg: o.norm_cfg, act_cfg: o.act_cfg };
    let inChannels = makeDivisible(32 * o.widen_factor, 8);
    this.conv1 = this.registerModule('conv1', new ConvModule({ in_channels: 3, out_channels: inChannels, kernel_size: 3, stride: 2, padding: 1, ...common }));
    ARCH_SETTINGS.forEach(([expandRatio, channels, blocks], i) => {
      const outChannels = makeDivisible(channels * o.widen_factor, 8);
      const layer = new LayerSequence();
      for (let b = 0; b < blocks; b += 1) {
        layer.add(
          new InvertedResidual({
            in_channels: inChannels,
            out_channels: outChannels,
            mid_channels: Math.round(inChannels * expandRatio),
            stride: b === 0 ? STRIDES[i]! : 1,
            with_expand_conv: expandRatio !== 1,
            ...common,
          }),
        );
        inChannels = outChannels;
      }
      this.layers.push(this.registerModule(`layer${i + 1}`, layer));
      this.layerChannels.push(outChannels);
    });
    const lastChannels = o.widen_factor > 1 ? Math.trunc(1280 * o.widen_factor) : 1280;
    this.layers.push(this.registerModule('conv2', new ConvModule({ in_channels: inChannels, out_channels: lastChannels, kernel_size: 1, ...common })));
    this.layerChannels.push(lastChannels);
    this.freezeStages();
  }

  /** Channels of each returned map, in `out_indices` order (what an FPN's `in_channels` must list). */
  get outChannels(): number[] {
    return this.options.out_indices.map((i) => this.layerChannels[i]!);
  }

  /** [N, H, W, 3] → the maps of `out_indices`, in their order; layer i at stride 2·Π STRIDES[0..i]. */
  forward(x: tf.Tensor4D): tf.Tensor4D[] {
    return tf.tidy(() => {
      let y = this.conv1.forward(x); // [N, H/2, W/2, 32·w]
      const byIndex = new Map<number, tf.Tensor4D>();
      this.layers.forEach((layer, i) => {
        y = layer.forward(y); // [N, H/s_i, W/s_i, layerChannels[i]]
        byIndex.set(i, y);
      });
      return this.options.out_indices.map((i) => byIndex.get(i)!);
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

  /** mmdet `_freeze_stages`: conv1 (frozen_stages ≥ 0) and layer1..layer{frozen_stages} in eval, no gradients. */
  private freezeStages(): void {
    const frozen = this.options.frozen_stages;
    if (frozen >= 0) this.conv1.eval().requiresGrad(false);
    for (let i = 1; i <= frozen; i += 1) {
      const layer = this.layers[i - 1] as unknown as Module;
      layer.eval().requiresGrad(false);
    }
  }
}

/**
 * mmdet `make_divisible`: `value` rounded to the nearest multiple of `divisor`, at least `divisor`, and not
 * below 90 % of `value` (one more `divisor` if it would be).
 *
 * @example
 * makeDivisible(24 * 0.25, 8); // 8
 */
export function makeDivisible(value: number, divisor: number, minValue = divisor, minRatio = 0.9): number {
  let rounded = Math.max(minValue, Math.trunc(value + divisor / 2) - (Math.trunc(value + divisor / 2) % divisor));
  if (rounded < minRatio * value) rounded += divisor;
  return rounded;
}

/** A numbered list of blocks run in order (`layer1.0`, `layer1.1`, ...). */
class LayerSequence extends Module {
  private readonly blocks: InvertedResidual[] = [];

  add(block: InvertedResidual): void {
    this.blocks.push(this.registerModule(String(this.blocks.length), block));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.blocks.reduce((y, block) => block.forward(y), x));
  }
}

/** mmdet's default: Kaiming on convs (depthwise ones too, through their `Conv2d` alias), weight 1 on norms. */
const DEFAULT_INIT_CFG: InitCfg = [
  { type: 'Kaiming', layer: 'Conv2d' },
  { type: 'Constant', val: 1, layer: ['_BatchNorm', 'GroupNorm'] },
];
