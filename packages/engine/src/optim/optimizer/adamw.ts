/**
 * AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019); mirrors `torch.optim.AdamW`:
 * Adam without the L2 term, the weights shrinking instead by p = p·(1 − lr·weight_decay) before the Adam
 * update. torch's default weight decay here is 0.01, not Adam's 0.
 *
 * @example
 * optimizer: { type: 'AdamW', lr: 0.0001, weight_decay: 0.05 }
 */
import { OPTIMIZERS, parseOptions } from '@detlab/core';
import { z } from 'zod';
import { Adam, adamSchema } from './adam.js';

/**
 * Options of `AdamW`: Adam's, with weight_decay defaulting to 0.01.
 *
 * @example
 * adamwSchema.parse({ lr: 1e-4 }).weight_decay; // 0.01
 */
export const adamwSchema = adamSchema.extend({ weight_decay: z.number().nonnegative().default(1e-2) });

/**
 * Options of `AdamW`, keys as in configs.
 *
 * @example
 * const options: AdamWOptions = { lr: 1e-4, betas: [0.9, 0.999], weight_decay: 0.05 };
 */
export type AdamWOptions = z.input<typeof adamwSchema>;

/**
 * Adam with decoupled weight decay; see the file comment.
 *
 * @example
 * optimizer: { type: 'AdamW', lr: 0.0002, weight_decay: 0.0001 }
 */
@OPTIMIZERS.register({ name: 'AdamW', schema: adamwSchema, description: 'Adam with decoupled weight decay, as torch.optim.AdamW.' })
export class AdamW extends Adam {
  override readonly type: string = 'AdamW';

  constructor(options: AdamWOptions) {
    super(parseOptions(adamwSchema, options, 'AdamW') as z.output<typeof adamwSchema>);
  }

  protected override get decoupledWeightDecay(): boolean {
    return true;
  }
}
