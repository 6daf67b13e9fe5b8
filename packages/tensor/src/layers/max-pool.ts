/**
 * Max pooling, NHWC; mirrors `nn.MaxPool2d` (padding counts as −∞, ceil_mode false).
 *
 * @example
 * { type: 'MaxPool2d', kernel_size: 3, stride: 2, padding: 1 } // the ResNet stem's pool
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { z } from 'zod';
import { Module } from '../module/module.js';
import { pair, pairSchema } from './pair.js';

export const maxPool2dSchema = z.strictObject({
  kernel_size: pairSchema,
  /** Defaults to kernel_size, as in PyTorch. */
  stride: pairSchema.optional(),
  padding: z.int().nonnegative().default(0),
});

/** Options of `MaxPool2d`, keys as in configs. */
export type MaxPool2dOptions = z.input<typeof maxPool2dSchema>;

@MODELS.register({ name: 'MaxPool2d', schema: maxPool2dSchema, description: 'Max pooling.' })
export class MaxPool2d extends Module {
  readonly options: z.output<typeof maxPool2dSchema>;

  constructor(options: MaxPool2dOptions) {
    super();
    this.options = maxPool2dSchema.parse(options);
  }

  /** [N, H, W, C] → [N, H', W', C]. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    const { kernel_size, stride, padding } = this.options;
    return tf.maxPool(x, pair(kernel_size), pair(stride ?? kernel_size), padding);
  }
}
