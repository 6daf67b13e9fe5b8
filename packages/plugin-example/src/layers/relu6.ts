/** min(max(x, 0), 6), PyTorch's `nn.ReLU6`: MobileNetV2's activation, registered as `example.ReLU6`. */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { EXAMPLE_MODELS } from '../registry.js';

/** Options of `ReLU6`; `inplace` is accepted for config compatibility (tfjs has no in-place ops). */
export const relu6Schema = z.strictObject({ inplace: z.boolean().default(false) });

/**
 * min(max(x, 0), 6).
 *
 * @example
 * act_cfg: { type: 'ReLU6' }
 */
@EXAMPLE_MODELS.register({ name: 'ReLU6', schema: relu6Schema, description: 'min(max(x, 0), 6) (PyTorch ReLU6).' })
export class ReLU6 extends Module {
  constructor(_options: z.input<typeof relu6Schema> = {}) {
    super();
  }

  forward<T extends tf.Tensor>(x: T): T {
    return tf.relu6(x);
  }
}
