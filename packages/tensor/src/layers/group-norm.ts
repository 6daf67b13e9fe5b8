/**
 * Group normalization (Wu & He, 2018); mirrors `nn.GroupNorm` (registered as `GroupNorm`, alias `GN`).
 * Statistics per sample over H, W and the channels of each group; no running state, same in train and eval.
 *
 * @example
 * { type: 'GN', num_groups: 32, num_channels: 256 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { z } from 'zod';
import { Module } from '../module/module.js';
import { groupNorm } from '../ops/group-norm-op.js';

export const groupNormSchema = z
  .strictObject({
    num_groups: z.int().positive(),
    num_channels: z.int().positive(),
    eps: z.number().positive().default(1e-5),
    affine: z.boolean().default(true),
  })
  .refine((o) => o.num_channels % o.num_groups === 0, {
    message: 'num_channels must be divisible by num_groups',
    path: ['num_groups'],
  });

/** Options of `GroupNorm`, keys as in configs. */
export type GroupNormOptions = z.input<typeof groupNormSchema>;

@MODELS.register({ name: 'GroupNorm', aliases: ['GN'], schema: groupNormSchema, description: 'Group norm.' })
export class GroupNorm extends Module {
  readonly options: z.output<typeof groupNormSchema>;
  readonly weight: tf.Variable | undefined;
  readonly bias: tf.Variable | undefined;

  constructor(options: GroupNormOptions) {
    super();
    const o = (this.options = groupNormSchema.parse(options));
    this.weight = o.affine ? this.registerParameter('weight', tf.ones([o.num_channels])) : undefined;
    this.bias = o.affine ? this.registerParameter('bias', tf.zeros([o.num_channels])) : undefined;
  }

  /** [N, H, W, C] → [N, H, W, C]. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    const { num_groups: groups, eps } = this.options;
    return tf.tidy(() => groupNorm(x, groups, eps, this.weight as tf.Tensor1D | undefined, this.bias as tf.Tensor1D | undefined));
  }
}
