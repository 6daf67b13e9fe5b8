/**
 * A learnable scalar multiplier; mirrors MMCV's `Scale` (parameter `scale`), which ATSS and FCOS heads put
 * on each level's box regression.
 *
 * @example
 * { type: 'Scale', scale: 1.0 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { z } from 'zod';
import { Module } from '../module/module.js';

export const scaleSchema = z.strictObject({ scale: z.number().default(1) });

@MODELS.register({ name: 'Scale', schema: scaleSchema, description: 'Learnable scalar multiplier.' })
export class Scale extends Module {
  readonly scale: tf.Variable;

  constructor(options: z.input<typeof scaleSchema> = {}) {
    super();
    this.scale = this.registerParameter('scale', tf.scalar(scaleSchema.parse(options).scale));
  }

  forward<T extends tf.Tensor>(x: T): T {
    return tf.mul(x, this.scale);
  }
}
