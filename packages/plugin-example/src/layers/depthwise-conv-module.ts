/**
 * Depthwise conv → norm → activation with MMCV `ConvModule`'s child names (`conv`, `bn`/`gn`, `activate`):
 * what `ConvModule(C, C, k, groups=C, ...)` is in mmdet's MobileNetV2, which detlab's `ConvModule` (groups 1
 * only) cannot build. The conv has a bias only without a norm (`bias: 'auto'`).
 *
 * @example
 * { type: 'example.DepthwiseConvModule', channels: 96, kernel_size: 3, stride: 2, padding: 1, norm_cfg: { type: 'BN' }, act_cfg: { type: 'ReLU6' } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { Module, buildNormLayer, normCfgSchema, type Layer } from '@detlab/tensor';
import { z } from 'zod';
import { EXAMPLE_MODELS } from '../registry.js';
import { DepthwiseConv2d, depthwiseConv2dSchema } from './depthwise-conv2d.js';
import './relu6.js';

/** Options of `DepthwiseConvModule`, validated. */
export const depthwiseConvModuleSchema = z.strictObject({
  channels: depthwiseConv2dSchema.shape.channels,
  kernel_size: depthwiseConv2dSchema.shape.kernel_size,
  stride: depthwiseConv2dSchema.shape.stride,
  padding: depthwiseConv2dSchema.shape.padding,
  dilation: depthwiseConv2dSchema.shape.dilation,
  norm_cfg: normCfgSchema.nullable().default({ type: 'BN', requires_grad: true }),
  /** `null` for no activation. */
  act_cfg: z.looseObject({ type: z.string() }).nullable().default({ type: 'example.ReLU6' }),
});

/** Options of `DepthwiseConvModule`, keys as in configs. */
export type DepthwiseConvModuleOptions = z.input<typeof depthwiseConvModuleSchema>;

/**
 * Depthwise conv + optional norm + optional activation; see the file comment.
 *
 * @example
 * new DepthwiseConvModule({ channels: 32, stride: 2, padding: 1 }).forward(x); // [N, H/2, W/2, 32]
 */
@EXAMPLE_MODELS.register({ name: 'DepthwiseConvModule', schema: depthwiseConvModuleSchema, description: 'Depthwise conv + norm + act (MMCV ConvModule names).' })
export class DepthwiseConvModule extends Module implements Layer {
  readonly options: z.output<typeof depthwiseConvModuleSchema>;
  readonly conv: DepthwiseConv2d;
  readonly norm: Layer | undefined;
  readonly activate: Layer | undefined;

  constructor(options: DepthwiseConvModuleOptions) {
    super();
    const o = (this.options = depthwiseConvModuleSchema.parse(options));
    const { channels, kernel_size, stride, padding, dilation } = o;
    this.conv = this.registerModule('conv', new DepthwiseConv2d({ channels, kernel_size, stride, padding, dilation, bias: o.norm_cfg === null }));
    if (o.norm_cfg !== null) {
      const { name, layer } = buildNormLayer(o.norm_cfg, channels, '', 'norm_cfg');
      this.norm = this.registerModule(name, layer);
    }
    if (o.act_cfg !== null) this.activate = this.registerModule('activate', MODELS.build<Layer>(o.act_cfg, { path: 'act_cfg' }));
  }

  /** [N, H, W, C] → [N, H', W', C]. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let y = this.conv.forward(x); // [N, H', W', C]
      if (this.norm) y = this.norm.forward(y);
      return this.activate ? this.activate.forward(y) : y;
    });
  }
}
