/**
 * The two-conv residual block of ResNet-18/34 (He et al., 2016, Fig. 2); mirrors mmdet `BasicBlock`
 * (`mmdet/models/backbones/resnet.py`): out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).
 *
 * Children in mmdet's order and names (`conv1`, `bn1`, `conv2`, `bn2`, `relu`, `downsample`), so state-dict keys
 * match torchvision's `layer1.0.conv1.weight`.
 *
 * @example
 * new BasicBlock({ inplanes: 64, planes: 64 }); // ResNet-18 layer1.0; in a config: { type: 'ResNet', depth: 18 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, ReLU, buildConvLayer, buildNormLayer, type Conv2d, type Layer, type Sequential } from '@detlab/tensor';
import type { ResBlock, ResBlockOptions } from './res-layer.js';

/**
 * conv3×3 → norm → relu → conv3×3 → norm, plus the shortcut, then relu.
 *
 * @example
 * new BasicBlock({ inplanes: 64, planes: 64, norm_cfg: { type: 'GN', num_groups: 32 } }); // children conv1, gn1, conv2, gn2
 */
export class BasicBlock extends Module implements ResBlock {
  /** Output channels = planes · 1. */
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly norm1: Layer;
  readonly conv2: Conv2d;
  readonly norm2: Layer;
  readonly relu: ReLU;
  readonly downsample: Sequential | undefined;
  readonly lastNormName: string;

  constructor({ inplanes, planes, stride = 1, downsample, conv_cfg, norm_cfg = { type: 'BN' }, init_cfg }: ResBlockOptions) {
    super();
    this.initCfg = init_cfg;
    this.conv1 = this.registerModule('conv1', buildConvLayer(conv_cfg, { in_channels: inplanes, out_channels: planes, kernel_size: 3, stride, padding: 1, bias: false }));
    const norm1 = buildNormLayer(norm_cfg, planes, 1);
    this.norm1 = this.registerModule(norm1.name, norm1.layer);
    this.conv2 = this.registerModule('conv2', buildConvLayer(conv_cfg, { in_channels: planes, out_channels: planes, kernel_size: 3, padding: 1, bias: false }));
    const norm2 = buildNormLayer(norm_cfg, planes, 2);
    this.norm2 = this.registerModule(norm2.name, norm2.layer);
    this.lastNormName = norm2.name;
    this.relu = this.registerModule('relu', new ReLU());
    this.downsample = downsample && this.registerModule('downsample', downsample);
  }

  /** [N, H, W, inplanes] → [N, H/stride, W/stride, planes]. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const residual = this.norm2.forward(this.conv2.forward(this.relu.forward(this.norm1.forward(this.conv1.forward(x))))); // [N, H', W', planes]
      const identity = this.downsample ? this.downsample.forward(x) : x; // [N, H', W', planes]
      return this.relu.forward(tf.add(residual, identity));
    });
  }
}
