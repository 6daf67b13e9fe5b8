/** Activations as modules, registered under PyTorch's names so `act_cfg: { type: 'ReLU' }` builds them. */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { z } from 'zod';
import { Module } from '../module/module.js';

export const reluSchema = z.strictObject({ inplace: z.boolean().default(false) }); // accepted for config compatibility; tfjs has no in-place ops

/** max(x, 0). */
@MODELS.register({ name: 'ReLU', schema: reluSchema, description: 'max(x, 0).' })
export class ReLU extends Module {
  constructor(_options: z.input<typeof reluSchema> = {}) {
    super();
  }

  forward<T extends tf.Tensor>(x: T): T {
    return tf.relu(x);
  }
}
