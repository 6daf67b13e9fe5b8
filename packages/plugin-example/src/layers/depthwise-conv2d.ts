/**
 * Depthwise 2-D convolution (one k×k filter per channel), PyTorch's `nn.Conv2d(C, C, k, groups=C)`, NHWC.
 *
 * detlab's `Conv2d` supports `groups: 1` only, so the plugin brings its own. The weight is stored HWIO as
 * `[kh, kw, 1, C]` (kind 'conv'), which is PyTorch's `[C, 1, kh, kw]` after the usual OIHW → HWIO transpose, so
 * converted torchvision/mmdet checkpoints load by name; `initLayerAliases` lets `init_cfg` with
 * `layer: 'Conv2d'` (mmdet's default Kaiming) reach it, with PyTorch's fan_out (C·kh·kw).
 *
 * Kernel gap worked around here: the wasm backend of tfjs 4.22 has `DepthwiseConv2dNative` but neither
 * `DepthwiseConv2dNativeBackpropInput` nor `DepthwiseConv2dNativeBackpropFilter`, so `tf.depthwiseConv2d`
 * cannot be trained there. Where the backend lacks them, the convolution is computed as a sum of kh·kw shifted,
 * strided slices times per-channel weights ("taps"): slice, pad, reshape, mul and add all have gradients on
 * every backend. Elsewhere the stock op is used; both give the same numbers (tested).
 *
 * @example
 * { type: 'example.DepthwiseConv2d', channels: 96, kernel_size: 3, stride: 2, padding: 1 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { EXAMPLE_MODELS } from '../registry.js';

const size = z.int().positive();

/** Options of `DepthwiseConv2d`, validated; sizes are square. */
export const depthwiseConv2dSchema = z.strictObject({
  /** Input and output channels (one filter each). */
  channels: size,
  kernel_size: size.default(3),
  stride: size.default(1),
  /** Zeros added on each side, as PyTorch's `padding`. */
  padding: z.int().nonnegative().default(0),
  dilation: size.default(1),
  bias: z.boolean().default(false),
});

/** Options of `DepthwiseConv2d`, keys as in configs. */
export type DepthwiseConv2dOptions = z.input<typeof depthwiseConv2dSchema>;

/** The gradient kernels `tf.depthwiseConv2d` needs; the wasm backend has neither (tfjs 4.22). */
export const DEPTHWISE_GRAD_KERNELS = ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'] as const;

/**
 * Depthwise convolution; see the file comment.
 *
 * @example
 * const dw = new DepthwiseConv2d({ channels: 32, kernel_size: 3, stride: 2, padding: 1 });
 * dw.forward(x); // [N, H, W, 32] → [N, H/2, W/2, 32]
 */
@EXAMPLE_MODELS.register({ name: 'DepthwiseConv2d', schema: depthwiseConv2dSchema, description: 'Depthwise conv (groups = channels), trainable on wasm.' })
export class DepthwiseConv2d extends Module {
  static override readonly initLayerAliases = ['Conv2d'];
  readonly options: z.output<typeof depthwiseConv2dSchema>;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;

  constructor(options: DepthwiseConv2dOptions) {
    super();
    const o = (this.options = depthwiseConv2dSchema.parse(options));
    const k = o.kernel_size;
    // PyTorch's default init, U(±1/sqrt(fan_in)), where a depthwise filter's fan_in is k·k.
    const bound = 1 / k;
    this.weight = this.registerParameter('weight', tf.randomUniform([k, k, 1, o.channels], -bound, bound), 'conv');
    this.bias = o.bias ? this.registerParameter('bias', tf.randomUniform([o.channels], -bound, bound)) : undefined;
  }

  /** [N, H, W, C] → [N, H', W', C]. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const { kernel_size: k, stride, padding, dilation, channels } = this.options;
      const p = padding;
      const xp = p > 0 ? tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]) : x; // [N, H + 2p, W + 2p, C]
      const filter = tf.reshape(this.weight, [k, k, channels, 1]) as tf.Tensor4D; // HWIO [k, k, 1, C] → [k, k, C, 1]
      const y = backendHasDepthwiseGrads()
        ? tf.depthwiseConv2d(xp, filter, stride, 'valid', 'NHWC', dilation)
        : depthwiseConvByTaps(xp, filter, stride, dilation);
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}

/** Whether the active backend has both gradient kernels of `tf.depthwiseConv2d`. */
export function backendHasDepthwiseGrads(): boolean {
  const backend = tf.getBackend();
  return DEPTHWISE_GRAD_KERNELS.every((name) => tf.getKernel(name, backend) !== undefined);
}

/**
 * 'valid' depthwise convolution of an already padded `x` as Σ over taps (i, j) of
 * x[:, i·d : i·d + (Ho−1)·s + 1 : s, j·d : ... : s, :] · filter[i, j, :, 0]. Exported for the tests.
 */
export function depthwiseConvByTaps(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, dilation: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const [kh, kw] = filter.shape;
    const ho = Math.floor((h - dilation * (kh - 1) - 1) / stride) + 1;
    const wo = Math.floor((w - dilation * (kw - 1) - 1) / stride) + 1;
    if (ho < 1 || wo < 1) {
      throw new Error(`DepthwiseConv2d: input ${h}×${w} (padded) is smaller than the dilated ${kh}×${kw} kernel (dilation ${dilation})`);
    }
    let y: tf.Tensor4D | undefined;
    for (let i = 0; i < kh; i += 1) {
      for (let j = 0; j < kw; j += 1) {
        const tap = strided(tf.slice(x, [0, i * dilation, j * dilation, 0], [n, (ho - 1) * stride + 1, (wo - 1) * stride + 1, c]), stride, ho, wo);
        const weighted: tf.Tensor4D = tf.mul(tap, tf.reshape(tf.slice(filter, [i, j, 0, 0], [1, 1, c, 1]), [c])); // [N, Ho, Wo, C]
        y = y ? (tf.add(y, weighted) as tf.Tensor4D) : weighted;
      }
    }
    return y!;
  });
}

/** Every `stride`-th row and column of x [N, (Ho−1)·s + 1, (Wo−1)·s + 1, C] → [N, Ho, Wo, C], without strided slices. */
function strided(x: tf.Tensor4D, stride: number, ho: number, wo: number): tf.Tensor4D {
  if (stride === 1) return x;
  const [n, , , c] = x.shape;
  // Pad to Ho·s × Wo·s, fold each s×s cell into its own axes, keep the cell's top-left element.
  const padded = tf.pad(x, [[0, 0], [0, stride - 1], [0, stride - 1], [0, 0]]);
  const cells = tf.reshape(padded, [n, ho, stride, wo, stride * c]);
  const rows = tf.slice(cells, [0, 0, 0, 0, 0], [n, ho, 1, wo, c]); // first row and first column of each cell
  return tf.reshape(rows, [n, ho, wo, c]);
}
