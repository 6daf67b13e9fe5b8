/**
 * Adam (Kingma & Ba, 2015); mirrors `torch.optim.Adam` (single-tensor path) exactly:
 *
 *   g = g + weight_decay·p                       (L2 penalty; AdamW decays the weights instead)
 *   m = lerp(m, g, 1 − β1);  v = β2·v + (1 − β2)·g²   (both start at zeros)
 *   v̂ = max(v̂, v) if amsgrad, else v
 *   p = p − (lr / (1 − β1^t)) · m / (√v̂ / √(1 − β2^t) + eps)
 *
 * `t` is a per-parameter step count, saved with the state as torch saves `state[p]['step']`.
 *
 * @example
 * optimizer: { type: 'Adam', lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { OPTIMIZERS, parseOptions } from '@detlab/core';
import { z } from 'zod';
import { Optimizer, type ParamState } from './optimizer.js';
import { hyperNumber, optimizerParamsSchema, type Hyper, type OptimParam } from './param-group.js';

const beta = z.number().min(0).lt(1);

/**
 * Options of `Adam`, validated, with torch's defaults; `params` comes from the optim wrapper constructor.
 *
 * @example
 * adamSchema.parse({ lr: 3e-4, betas: [0.9, 0.98] });
 */
export const adamSchema = z.strictObject({
  params: optimizerParamsSchema.optional(),
  lr: z.number().nonnegative().default(1e-3),
  /** Decay rates of the first and second moment estimates, each in [0, 1). */
  betas: z.tuple([beta, beta]).default([0.9, 0.999]),
  /** Added to the denominator for numerical stability. */
  eps: z.number().nonnegative().default(1e-8),
  weight_decay: z.number().nonnegative().default(0),
  amsgrad: z.boolean().default(false),
});

/**
 * Options of `Adam`, keys as in configs.
 *
 * @example
 * const options: AdamOptions = { lr: 1e-3, weight_decay: 1e-4 };
 */
export type AdamOptions = z.input<typeof adamSchema>;

/**
 * Adam with L2 weight decay and optional AMSGrad; see the file comment.
 *
 * @example
 * optimizer: { type: 'Adam', lr: 0.0001, amsgrad: true }
 */
@OPTIMIZERS.register({ name: 'Adam', schema: adamSchema, description: 'Adam, as torch.optim.Adam.' })
export class Adam extends Optimizer {
  readonly type: string = 'Adam';
  protected readonly bufferNames = ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] as const;

  constructor(options: AdamOptions) {
    // AdamW passes options it already parsed (weight_decay defaulted to 0.01); parsing again keeps them.
    const { params, ...defaults } = parseOptions(adamSchema, options, new.target.name) as z.output<typeof adamSchema>;
    super(new.target.name, params, defaults);
  }

  /** Whether weight decay shrinks the weights (AdamW) instead of adding an L2 term to the gradient (Adam). */
  protected get decoupledWeightDecay(): boolean {
    return false;
  }

  protected updateParameter({ variable }: OptimParam, grad: tf.Tensor, hyper: Readonly<Hyper>, state: ParamState): void {
    const lr = hyperNumber(hyper, 'lr');
    const weightDecay = hyperNumber(hyper, 'weight_decay');
    const [beta1, beta2] = hyper.betas as readonly [number, number];
    const step = (state.scalars.step ?? 0) + 1;
    state.scalars.step = step;

    let g = grad;
    let p: tf.Tensor = variable;
    if (weightDecay !== 0) {
      if (this.decoupledWeightDecay) p = tf.mul(variable, 1 - lr * weightDecay);
      else g = tf.add(g, tf.mul(variable, weightDecay));
    }
    const m0 = state.buffers.get('exp_avg') ?? tf.zerosLike(variable);
    const v0 = state.buffers.get('exp_avg_sq') ?? tf.zerosLike(variable);
    // torch writes the first moment as lerp_(grad, 1 − β1); the same form keeps float32 rounding alike.
    const m = tf.add(m0, tf.mul(tf.sub(g, m0), 1 - beta1));
    const v = tf.add(tf.mul(v0, beta2), tf.mul(tf.mul(g, g), 1 - beta2));
    this.setBuffer(state, 'exp_avg', m);
    this.setBuffer(state, 'exp_avg_sq', v);
    let vHat = v;
    if (hyper.amsgrad === true) {
      vHat = tf.maximum(state.buffers.get('max_exp_avg_sq') ?? tf.zerosLike(variable), v);
      this.setBuffer(state, 'max_exp_avg_sq', vHat);
    }
    const stepSize = lr / (1 - beta1 ** step);
    const denom = tf.add(tf.div(tf.sqrt(vHat), Math.sqrt(1 - beta2 ** step)), hyperNumber(hyper, 'eps'));
    variable.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)));
  }
}
