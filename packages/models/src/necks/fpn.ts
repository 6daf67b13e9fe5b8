/**
 * Feature Pyramid Network (Lin et al., "Feature Pyramid Networks for Object Detection", 2017); mirrors mmdet
 * `FPN` (`mmdet/models/necks/fpn.py`).
 *
 * Each used backbone level gets a 1×1 lateral conv to `out_channels`; walking top-down, every coarser lateral is
 * upsampled (nearest, to the finer level's size) and added to the finer one; a 3×3 conv then smooths each sum.
 * Levels beyond the backbone's come from max pooling (`add_extra_convs: false`) or from stride-2 3×3 convs on
 * the last input ('on_input'), lateral ('on_lateral') or output ('on_output'). Child names follow mmdet's
 * state dicts: `lateral_convs.0.conv.weight`, `fpn_convs.0.conv.weight`, extra convs continuing `fpn_convs`.
 *
 * @example
 * neck: { type: 'FPN', in_channels: [256, 512, 1024, 2048], out_channels: 256, start_level: 1,
 *   add_extra_convs: 'on_output', num_outs: 5 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, MODELS } from '@detlab/core';
import { ConvModule, Module, ModuleList, convCfgSchema, initCfgSchema, normCfgSchema, upsampleNearest } from '@detlab/tensor';
import { z } from 'zod';

/**
 * Sources the first extra conv may read; `true` in a config means 'on_input', as in mmdet.
 *
 * @example
 * neck: { type: 'FPN', in_channels: [256, 512, 1024, 2048], out_channels: 256, num_outs: 5, add_extra_convs: 'on_input' }
 */
export type ExtraConvSource = 'on_input' | 'on_lateral' | 'on_output';

/**
 * Options of `FPN`, validated, with mmdet's defaults; the level checks name the key at fault.
 *
 * @example
 * fpnSchema.parse({ in_channels: [64, 128, 256, 512], out_channels: 64, num_outs: 5 }); // max-pooled P6
 */
export const fpnSchema = z
  .strictObject({
    /** Channels of each backbone level given to forward, finest first. */
    in_channels: z.array(z.int().positive()).min(1),
    out_channels: z.int().positive(),
    /** Output levels: the used backbone levels plus extra ones. */
    num_outs: z.int().positive(),
    /** First backbone level used. */
    start_level: z.int().nonnegative().default(0),
    /** Last backbone level used (inclusive); -1 for the last one. With another value no extra level may follow. */
    end_level: z.int().min(-1).default(-1),
    add_extra_convs: z.union([z.boolean(), z.enum(['on_input', 'on_lateral', 'on_output'])]).default(false),
    /** Apply relu before every extra conv after the first (RetinaNet's P7 = conv(relu(P6))). */
    relu_before_extra_convs: z.boolean().default(false),
    no_norm_on_lateral: z.boolean().default(false),
    conv_cfg: convCfgSchema.default(null),
    norm_cfg: normCfgSchema.nullable().default(null),
    act_cfg: z.looseObject({ type: z.string() }).nullable().default(null),
    /** Only nearest upsampling exists; `scale_factor` multiplies the size instead of matching the finer level's. */
    upsample_cfg: z.strictObject({ mode: z.literal('nearest').default('nearest'), scale_factor: z.int().positive().optional() }).default({ mode: 'nearest' }),
    init_cfg: initCfgSchema.prefault({ type: 'Xavier', layer: 'Conv2d', distribution: 'uniform' }),
  })
  .superRefine((o, ctx) => {
    const numIns = o.in_channels.length;
    const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
    if (o.start_level >= numIns) issue('start_level', `expected a level below len(in_channels) = ${numIns}, got ${o.start_level}`);
    else if (o.end_level === -1 || o.end_level === numIns - 1) {
      const used = numIns - o.start_level;
      if (o.num_outs < used) issue('num_outs', `expected at least ${used} (levels ${o.start_level}..${numIns - 1} of in_channels), got ${o.num_outs}`);
    } else if (o.end_level >= numIns || o.end_level < o.start_level) {
      issue('end_level', `expected -1 or a level in ${o.start_level}..${numIns - 1}, got ${o.end_level}`);
    } else if (o.num_outs !== o.end_level - o.start_level + 1) {
      issue('num_outs', `expected ${o.end_level - o.start_level + 1} (end_level - start_level + 1: no extra levels when end_level is set), got ${o.num_outs}`);
    }
  });

/**
 * Options of `FPN`, keys as in MMDetection configs.
 *
 * @example
 * const options: FPNOptions = { in_channels: [256, 512, 1024, 2048], out_channels: 256, num_outs: 5, start_level: 1, add_extra_convs: 'on_output' };
 */
export type FPNOptions = z.input<typeof fpnSchema>;

/**
 * Feature Pyramid Network neck; see the file comment.
 *
 * @example
 * neck: { type: 'FPN', in_channels: [256, 512, 1024, 2048], out_channels: 256, num_outs: 5 }
 */
@MODELS.register({ name: 'FPN', schema: fpnSchema, description: 'Feature Pyramid Network neck (mmdet FPN).' })
export class FPN extends Module {
  readonly options: z.output<typeof fpnSchema>;
  readonly lateralConvs: ModuleList<ConvModule>;
  readonly fpnConvs: ModuleList<ConvModule>;
  /** Where extra levels come from: max pooling (false) or a conv on this source. */
  readonly extraSource: ExtraConvSource | false;
  /** One past the last backbone level used (mmdet `backbone_end_level`). */
  private readonly backboneEndLevel: number;

  constructor(options: FPNOptions) {
    super();
    const o = (this.options = fpnSchema.parse(options));
    this.initCfg = o.init_cfg;
    this.extraSource = o.add_extra_convs === true ? 'on_input' : o.add_extra_convs;
    const numIns = o.in_channels.length;
    this.backboneEndLevel = o.end_level === -1 || o.end_level === numIns - 1 ? numIns : o.end_level + 1;
    const common = { out_channels: o.out_channels, conv_cfg: o.conv_cfg, act_cfg: o.act_cfg, inplace: false };

    this.lateralConvs = this.registerModule('lateral_convs', new ModuleList<ConvModule>());
    this.fpnConvs = this.registerModule('fpn_convs', new ModuleList<ConvModule>());
    for (let i = o.start_level; i < this.backboneEndLevel; i += 1) {
      const lateralNorm = o.no_norm_on_lateral ? null : o.norm_cfg;
      this.lateralConvs.append(new ConvModule({ ...common, in_channels: o.in_channels[i]!, kernel_size: 1, norm_cfg: lateralNorm }));
      this.fpnConvs.append(new ConvModule({ ...common, in_channels: o.out_channels, kernel_size: 3, padding: 1, norm_cfg: o.norm_cfg }));
    }
    const extraLevels = o.num_outs - this.backboneEndLevel + o.start_level;
    for (let i = 0; this.extraSource && i < extraLevels; i += 1) {
      // Only the first extra conv of 'on_input' reads a backbone map; the rest read FPN outputs.
      const inChannels = i === 0 && this.extraSource === 'on_input' ? o.in_channels[this.backboneEndLevel - 1]! : o.out_channels;
      this.fpnConvs.append(new ConvModule({ ...common, in_channels: inChannels, kernel_size: 3, stride: 2, padding: 1, norm_cfg: o.norm_cfg }));
    }
  }

  /** Backbone maps [N, H_i, W_i, in_channels[i]], finest first → num_outs maps [N, H_l, W_l, out_channels]. */
  forward(inputs: readonly tf.Tensor4D[]): tf.Tensor4D[] {
    const { in_channels: inChannels, start_level: start, num_outs: numOuts } = this.options;
    if (inputs.length !== inChannels.length) {
      throw new DetlabError(`FPN.forward: expected ${inChannels.length} feature maps (one per in_channels entry), got ${inputs.length}`);
    }
    return tf.tidy(() => {
      const laterals = [...this.lateralConvs].map((conv, i) => conv.forward(inputs[i + start]!)); // [N, H_i, W_i, out]
      for (let i = laterals.length - 1; i > 0; i -= 1) {
        laterals[i - 1] = tf.add(laterals[i - 1]!, this.upsample(laterals[i]!, laterals[i - 1]!)); // [N, H_{i-1}, W_{i-1}, out]
      }
      const outs = laterals.map((lateral, i) => this.fpnConvs.at(i).forward(lateral)); // [N, H_i, W_i, out]
      const used = laterals.length;
      if (outs.length >= numOuts) return outs;
      if (!this.extraSource) {
        // F.max_pool2d(out, 1, stride=2): keeps every other pixel, [N, ceil(H/2), ceil(W/2), out].
        while (outs.length < numOuts) outs.push(tf.maxPool(outs[outs.length - 1]!, 1, 2, 'valid'));
        return outs;
      }
      const source = { on_input: inputs[this.backboneEndLevel - 1]!, on_lateral: laterals[used - 1]!, on_output: outs[used - 1]! }[this.extraSource];
      outs.push(this.fpnConvs.at(used).forward(source)); // [N, ceil(H/2), ceil(W/2), out]
      for (let i = used + 1; i < numOuts; i += 1) {
        const previous = outs[outs.length - 1]!;
        outs.push(this.fpnConvs.at(i).forward(this.options.relu_before_extra_convs ? tf.relu(previous) : previous));
      }
      return outs;
    });
  }

  /** `coarse` [N, h, w, C] brought to `fine`'s size (or scale_factor × its own) by nearest neighbour. */
  private upsample(coarse: tf.Tensor4D, fine: tf.Tensor4D): tf.Tensor4D {
    const factor = this.options.upsample_cfg.scale_factor;
    const size: [number, number] = factor === undefined ? [fine.shape[1], fine.shape[2]] : [coarse.shape[1] * factor, coarse.shape[2] * factor];
    return upsampleNearest(coarse, size);
  }
}
