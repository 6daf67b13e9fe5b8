/**
 * MobileNetV2's inverted residual block (Sandler et al., 2018); mirrors mmdet `InvertedResidual`
 * (`mmdet/models/layers/inverted_residual.py`) as mmdet's MobileNetV2 builds it (no SE):
 * 1×1 expand (`expand_conv`, skipped at expand ratio 1) → k×k depthwise (`depthwise_conv`) → 1×1 linear
 * projection without activation (`linear_conv`), plus the input when stride is 1 and channels match.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConvModule, Module, type NormCfg } from '@detlab/tensor';
import { DepthwiseConvModule } from '../layers/depthwise-conv-module.js';

/** Options of `InvertedResidual` (internal: built by MobileNetV2, not by configs). */
export interface InvertedResidualOptions {
  in_channels: number;
  out_channels: number;
  mid_channels: number;
  stride: number;
  with_expand_conv: boolean;
  norm_cfg: NormCfg;
  act_cfg: { type: string; [key: string]: unknown };
}

/** expand → depthwise → linear, with a shortcut when shapes allow. */
export class InvertedResidual extends Module {
  readonly withResShortcut: boolean;
  readonly expandConv: ConvModule | undefined;
  readonly depthwiseConv: DepthwiseConvModule;
  readonly linearConv: ConvModule;

  constructor(o: InvertedResidualOptions) {
    super();
    this.withResShortcut = o.stride === 1 && o.in_channels === o.out_channels;
    const common = { norm_cfg: o.norm_cfg, act_cfg: o.act_cfg };
    if (o.with_expand_conv) {
      this.expandConv = this.registerModule('expand_conv', new ConvModule({ in_channels: o.in_channels, out_channels: o.mid_channels, kernel_size: 1, ...common }));
    }
    this.depthwiseConv = this.registerModule(
      'depthwise_conv',
      new DepthwiseConvModule({ channels: o.mid_channels, kernel_size: 3, stride: o.stride, padding: 1, ...common }),
    );
    this.linearConv = this.registerModule(
      'linear_conv',
      new ConvModule({ in_channels: o.mid_channels, out_channels: o.out_channels, kernel_size: 1, norm_cfg: o.norm_cfg, act_cfg: null }),
    );
  }

  /** [N, H, W, in] → [N, H/stride, W/stride, out]. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let y = this.expandConv ? this.expandConv.forward(x) : x; // [N, H, W, mid]
      y = this.depthwiseConv.forward(y); // [N, H/s, W/s, mid]
      y = this.linearConv.forward(y); // [N, H/s, W/s, out]
      return this.withResShortcut ? tf.add(x, y) : y;
    });
  }
}
