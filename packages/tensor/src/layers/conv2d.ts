/**
 * 2-D convolution, NHWC, with PyTorch's options and default init; mirrors `nn.Conv2d` (registered as
 * `Conv2d`, alias `Conv`, as in MMCV's conv layer registry).
 *
 * The weight is HWIO `[kh, kw, in, out]` (kind 'conv': checkpoints in OIHW are transposed on load).
 * On wasm, its gradients go through the kernels `registerKernelFixes` supplies (Conv2DBackpropFilter is
 * missing there, Conv2DBackpropInput is slow).
 *
 * @example
 * { type: 'Conv2d', in_channels: 64, out_channels: 64, kernel_size: 3, padding: 1, bias: false }
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { z } from 'zod';
import { Module } from '../module/module.js';
import { nextSeed } from '../module/random.js';
import { pair, pairSchema } from './pair.js';

export const conv2dSchema = z.strictObject({
  in_channels: z.int().positive(),
  out_channels: z.int().positive(),
  kernel_size: pairSchema,
  stride: pairSchema.default(1),
  /** Zeros added on each side, as PyTorch's `padding` (symmetric, unlike tfjs 'same' at stride 2). */
  padding: z.union([z.int().nonnegative(), z.tuple([z.int().nonnegative(), z.int().nonnegative()])]).default(0),
  dilation: pairSchema.default(1),
  groups: z.literal(1).default(1),
  bias: z.boolean().default(true),
});

/** Options of `Conv2d`, keys as in configs. */
export type Conv2dOptions = z.input<typeof conv2dSchema>;

@MODELS.register({ name: 'Conv2d', aliases: ['Conv'], schema: conv2dSchema, description: '2-D convolution (NHWC, HWIO weight).' })
export class Conv2d extends Module {
  readonly options: z.output<typeof conv2dSchema>;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;
  private readonly strides: [number, number];
  private readonly dilations: [number, number];
  private readonly pad: [[number, number], [number, number], [number, number], [number, number]];

  constructor(options: Conv2dOptions) {
    super();
    const o = (this.options = conv2dSchema.parse(options));
    const [kh, kw] = pair(o.kernel_size);
    // PyTorch's default init (kaiming_uniform with a = sqrt(5)) reduces to U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    const bound = 1 / Math.sqrt(kh * kw * o.in_channels);
    this.weight = this.registerParameter(
      'weight',
      tf.randomUniform([kh, kw, o.in_channels, o.out_channels], -bound, bound, 'float32', nextSeed()),
      'conv',
    );
    this.bias = o.bias ? this.registerParameter('bias', tf.randomUniform([o.out_channels], -bound, bound, 'float32', nextSeed())) : undefined;
    this.strides = pair(o.stride);
    this.dilations = pair(o.dilation);
    const [ph, pw] = pair(o.padding);
    // Always explicit: with a numeric pad, tfjs 4.22 sizes the output width from the kernel *height*, wrong
    // for non-square kernels (conv_util computeOutputShape2D gets filterHeight only).
    this.pad = [[0, 0], [ph, ph], [pw, pw], [0, 0]];
  }

  /** [N, H, W, in] → [N, H', W', out]. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const y = tf.conv2d(x, this.weight as tf.Tensor4D, this.strides, this.pad, 'NHWC', this.dilations);
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}
