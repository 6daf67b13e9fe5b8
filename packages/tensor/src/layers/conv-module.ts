/**
 * A convolution with an optional norm and activation; mirrors MMCV's `ConvModule`
 * (`mmcv/cnn/bricks/conv_module.py`), which FPN, ATSS heads and most MMDetection necks are built from.
 *
 * Children keep MMCV's names, which state-dict keys depend on: `conv`, the norm under its abbreviation
 * without a postfix (`bn`, `gn`) and `activate` (no parameters). `bias: 'auto'` gives the conv a bias only when
 * no norm follows it, since a norm's shift makes it redundant. Like MMCV, the module initialises itself when
 * built (Kaiming, fan_out, on the conv; the norm starts at weight 1, bias 0); an owner's `init_cfg` applied
 * later by `initWeights` wins, as FPN's Xavier does in MMDetection.
 *
 * @example
 * { type: 'ConvModule', in_channels: 256, out_channels: 256, kernel_size: 3, padding: 1, norm_cfg: { type: 'GN', num_groups: 32 } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { z } from 'zod';
import { kaimingInitSchema } from '../init/init-cfg.js';
import { initialWeight } from '../init/initializers.js';
import type { Layer } from '../module/containers.js';
import { Module } from '../module/module.js';
// Side-effect import: registers ReLU, the default act_cfg, which is built by name.
import './activation.js';
import { convCfgSchema, buildConvLayer } from './conv-layer.js';
import { type Conv2d, conv2dSchema } from './conv2d.js';
import { buildNormLayer, normCfgSchema } from './norm-layer.js';

const stepSchema = z.enum(['conv', 'norm', 'act']);

/** Activations MMCV builds without an `inplace` key (`ConvModule.__init__`); every other gets `inplace` set. */
const ACTIVATIONS_WITHOUT_INPLACE = new Set(['Tanh', 'PReLU', 'Sigmoid', 'HSigmoid', 'Swish', 'GELU']);

/**
 * Options of `ConvModule`, validated; keys as MMCV's `ConvModule.__init__` arguments.
 *
 * @example
 * convModuleSchema.parse({ in_channels: 3, out_channels: 8, kernel_size: 3, padding: 1, act_cfg: null });
 */
export const convModuleSchema = z.strictObject({
  in_channels: conv2dSchema.shape.in_channels,
  out_channels: conv2dSchema.shape.out_channels,
  kernel_size: conv2dSchema.shape.kernel_size,
  stride: conv2dSchema.shape.stride,
  padding: conv2dSchema.shape.padding,
  dilation: conv2dSchema.shape.dilation,
  groups: conv2dSchema.shape.groups,
  /** `'auto'`: a bias only when there is no norm. */
  bias: z.union([z.literal('auto'), z.boolean()]).default('auto'),
  conv_cfg: convCfgSchema.default(null),
  norm_cfg: normCfgSchema.nullable().default(null),
  /** `null` for no activation. */
  act_cfg: z.looseObject({ type: z.string() }).nullable().default({ type: 'ReLU' }),
  /** Accepted for config compatibility: tfjs has no in-place ops. */
  inplace: z.boolean().default(true),
  order: z
    .tuple([stepSchema, stepSchema, stepSchema])
    .refine((o) => new Set(o).size === 3, 'expected conv, norm and act once each')
    .default(['conv', 'norm', 'act']),
  padding_mode: z.literal('zeros').default('zeros'),
  with_spectral_norm: z.literal(false).default(false),
});

/**
 * Options of `ConvModule`, keys as in configs.
 *
 * @example
 * const options: ConvModuleOptions = { in_channels: 256, out_channels: 256, kernel_size: 1, act_cfg: null };
 */
export type ConvModuleOptions = z.input<typeof convModuleSchema>;

/**
 * conv → norm → act (MMCV's `ConvModule`); see the file comment.
 *
 * @example
 * { type: 'ConvModule', in_channels: 64, out_channels: 64, kernel_size: 3, padding: 1, norm_cfg: { type: 'BN' } }
 */
@MODELS.register({ name: 'ConvModule', schema: convModuleSchema, description: 'Conv + optional norm + optional activation (MMCV).' })
export class ConvModule extends Module implements Layer {
  readonly options: z.output<typeof convModuleSchema>;
  readonly conv: Conv2d;
  /** The norm layer, registered as `bn` or `gn`; undefined without `norm_cfg`. */
  readonly norm: Layer | undefined;
  /** The child name of the norm (`bn`, `gn`), as MMCV's `norm_name`. */
  readonly normName: string | undefined;
  readonly activate: Layer | undefined;

  constructor(options: ConvModuleOptions) {
    super();
    const o = (this.options = convModuleSchema.parse(options));
    const { in_channels, out_channels, kernel_size, stride, padding, dilation, groups } = o;
    const bias = o.bias === 'auto' ? o.norm_cfg === null : o.bias;
    const conv = buildConvLayer(o.conv_cfg, { in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias });
    this.conv = this.registerModule('conv', conv);
    if (o.norm_cfg !== null) {
      // A norm placed before the conv sees the input's channels.
      const channels = o.order.indexOf('norm') > o.order.indexOf('conv') ? out_channels : in_channels;
      const { name, layer } = buildNormLayer(o.norm_cfg, channels, '', 'norm_cfg');
      this.normName = name;
      this.norm = this.registerModule(name, layer);
    }
    if (o.act_cfg !== null) {
      const actCfg = ACTIVATIONS_WITHOUT_INPLACE.has(o.act_cfg.type) ? o.act_cfg : { inplace: o.inplace, ...o.act_cfg };
      this.activate = this.registerModule('activate', MODELS.build<Layer>(actCfg, { path: 'act_cfg' }));
    }
    this.initConv();
  }

  /** [N, H, W, in] → [N, H', W', out], through the steps of `order` that are present. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let y = x;
      for (const step of this.options.order) {
        if (step === 'conv') y = this.conv.forward(y); // [N, H', W', out]
        else if (step === 'norm' && this.norm) y = this.norm.forward(y);
        else if (step === 'act' && this.activate) y = this.activate.forward(y);
      }
      return y;
    });
  }

  /** MMCV's `ConvModule.init_weights`: Kaiming (fan_out) for the conv, with LeakyReLU's slope when it follows. */
  private initConv(): void {
    const act = this.options.act_cfg;
    const leaky = act?.type === 'LeakyReLU';
    const slope = typeof act?.negative_slope === 'number' ? act.negative_slope : 0.01; // PyTorch's LeakyReLU default
    const cfg = kaimingInitSchema.parse({ type: 'Kaiming', nonlinearity: leaky ? 'leaky_relu' : 'relu', a: leaky ? slope : 0 });
    const weight = initialWeight(cfg, this.conv.weight.shape);
    this.conv.weight.assign(weight);
    weight.dispose();
    const bias = this.conv.bias;
    if (bias) tf.tidy(() => bias.assign(tf.zerosLike(bias)));
  }
}
