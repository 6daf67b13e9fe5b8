/**
 * The 1×1 → 3×3 → 1×1 residual block of ResNet-50/101/152 (He et al., 2016, Fig. 5); mirrors mmdet
 * `Bottleneck` (`mmdet/models/backbones/resnet.py`), whose output is 4× wider than its inner `planes`.
 *
 * `style` says where a stage's stride goes: 'pytorch' strides the 3×3 conv (torchvision, "ResNet v1.5"),
 * 'caffe' the first 1×1 conv (the original Caffe models, MSRA weights). Children in mmdet's order and names
 * (`conv1`, `bn1`, `conv2`, `bn2`, `conv3`, `bn3`, `relu`, `downsample`).
 *
 * @example
 * new Bottleneck({ inplanes: 256, planes: 128, stride: 2, style: 'caffe', downsample }); // in a config: { type: 'ResNet', depth: 50, style: 'caffe' }
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, ReLU, buildConvLayer, buildNormLayer, type Conv2d, type Layer, type Sequential } from '@detlab/tensor';
import type { ResBlock, ResBlockOptions } from './res-layer.js';

/**
 * conv1×1 → norm → relu → conv3×3 → norm → relu → conv1×1 → norm, plus the shortcut, then relu.
 *
 * @example
 * new Bottleneck({ inplanes: 256, planes: 64 }); // ResNet-50 layer1.1: 256 → 64 → 64 → 256 channels
 */
export class Bottleneck extends Module implements ResBlock {
  /** Output channels = planes · 4. */
  static readonly expansion = 4;
  readonly conv1: Conv2d;
  readonly norm1: Layer;
  readonly conv2: Conv2d;
  readonly norm2: Layer;
  readonly conv3: Conv2d;
  readonly norm3: Layer;
  readonly relu: ReLU;
  readonly downsample: Sequential | undefined;
  readonly lastNormName: string;

  constructor({ inplanes, planes, stride = 1, downsample, style = 'pytorch', conv_cfg, norm_cfg = { type: 'BN' }, init_cfg }: ResBlockOptions) {
    super();
    this.initCfg = init_cfg;
    const [conv1Stride, conv2Stride] = style === 'pytorch' ? [1, stride] : [stride, 1];
    const out = planes * Bottleneck.expansion;
    this.conv1 = this.registerModule('conv1', buildConvLayer(conv_cfg, { in_channels: inplanes, out_channels: planes, kernel_size: 1, stride: conv1Stride, bias: false }));
    const norm1 = buildNormLayer(norm_cfg, planes, 1);
    this.norm1 = this.registerModule(norm1.name, norm1.layer);
    this.conv2 = this.registerModule(
      'conv2',
      buildConvLayer(conv_cfg, { in_channels: planes, out_channels: planes, kernel_size: 3, stride: conv2Stride, padding: 1, bias: false }),
    );
    const norm2 = buildNormLayer(norm_cfg, planes, 2);
    this.norm2 = this.registerModule(norm2.name, norm2.layer);
    this.conv3 = this.registerModule('conv3', buildConvLayer(conv_cfg, { in_channels: planes, out_channels: out, kernel_size: 1, bias: false }));
    const norm3 = buildNormLayer(norm_cfg, out, 3);
    this.norm3 = this.registerModule(norm3.name, norm3.layer);
    this.lastNormName = norm3.name;
    this.relu = this.registerModule('relu', new ReLU());
    this.downsample = downsample && this.registerModule('downsample', downsample);
  }

  /** [N, H, W, inplanes] → [N, H/stride, W/stride, 4·planes]. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let y = this.relu.forward(this.norm1.forward(this.conv1.forward(x))); // [N, H or H', W or W', planes]
      y = this.relu.forward(this.norm2.forward(this.conv2.forward(y))); // [N, H', W', planes]
      const residual = this.norm3.forward(this.conv3.forward(y)); // [N, H', W', 4·planes]
      const identity = this.downsample ? this.downsample.forward(x) : x; // [N, H', W', 4·planes]
      return this.relu.forward(tf.add(residual, identity));
    });
  }
}
