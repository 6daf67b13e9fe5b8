/**
 * Stochastic gradient descent with momentum; mirrors `torch.optim.SGD` (single-tensor path) exactly:
 *
 *   d = g + weight_decay·p                      (L2 penalty folded into the gradient)
 *   buf = d at the first step, else momentum·buf + (1 − dampening)·d
 *   d = d + momentum·buf if nesterov, else buf
 *   p = p − lr·d
 *
 * The buffer starts at the first gradient itself, not at zeros, so the first step is plain SGD (as torch).
 *
 * @example
 * optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 0.0001 }
 */
import * as tf from '@tensorflow/tfjs-core';
import { OPTIMIZERS, parseOptions } from '@detlab/core';
import { sgdStepOneDnn } from '@detlab/tensor';
import { z } from 'zod';
import { Optimizer, type ParamState } from './optimizer.js';
import { hyperNumber, optimizerParamsSchema, type Hyper, type OptimParam } from './param-group.js';

/**
 * Options of `SGD`, validated, with torch's defaults; `params` comes from the optim wrapper constructor.
 *
 * @example
 * sgdSchema.parse({ lr: 0.01, momentum: 0.9, nesterov: true });
 */
export const sgdSchema = z
  .strictObject({
    params: optimizerParamsSchema.optional(),
    lr: z.number().nonnegative().default(1e-3),
    momentum: z.number().nonnegative().default(0),
    dampening: z.number().default(0),
    /** L2 penalty added to the gradient (not decoupled: see AdamW for that). */
    weight_decay: z.number().nonnegative().default(0),
    nesterov: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['nesterov'],
        message: `Nesterov momentum requires a momentum and zero dampening, got momentum ${o.momentum} and dampening ${o.dampening}`,
      });
    }
  });

/**
 * Options of `SGD`, keys as in configs.
 *
 * @example
 * const options: SGDOptions = { lr: 0.02, momentum: 0.9, weight_decay: 1e-4 };
 */
export type SGDOptions = z.input<typeof sgdSchema>;

/**
 * SGD with momentum, dampening, nesterov and L2 weight decay; see the file comment.
 *
 * @example
 * optimizer: { type: 'SGD', lr: 0.02, momentum: 0.9, weight_decay: 0.0001, nesterov: true }
 */
@OPTIMIZERS.register({ name: 'SGD', schema: sgdSchema, description: 'SGD with momentum, as torch.optim.SGD.' })
export class SGD extends Optimizer {
  readonly type: string = 'SGD';
  protected readonly bufferNames = ['momentum_buffer'] as const;

  constructor(options: SGDOptions) {
    const { params, ...defaults } = parseOptions(sgdSchema, options, 'SGD') as z.output<typeof sgdSchema>;
    super('SGD', params, defaults);
  }

  protected updateParameter({ variable }: OptimParam, grad: tf.Tensor, hyper: Readonly<Hyper>, state: ParamState): void {
    const lr = hyperNumber(hyper, 'lr');
    const weightDecay = hyperNumber(hyper, 'weight_decay');
    const momentum = hyperNumber(hyper, 'momentum');
    const dampening = hyperNumber(hyper, 'dampening');
    // One native pass where oneDNN's addon runs the wasm kernels; the same formula as the tf ops below.
    const fused = sgdStepOneDnn(variable, grad, state.buffers.get('momentum_buffer'), { lr, momentum, dampening, weightDecay, nesterov: hyper.nesterov === true });
    if (fused !== undefined) {
      if (fused.buffer !== undefined) this.setBuffer(state, 'momentum_buffer', fused.buffer);
      variable.assign(fused.param);
      return;
    }
    let d = weightDecay !== 0 ? tf.add(grad, tf.mul(variable, weightDecay)) : grad;
    if (momentum !== 0) {
      const previous = state.buffers.get('momentum_buffer');
      const buf = previous ? tf.add(tf.mul(previous, momentum), tf.mul(d, 1 - dampening)) : d;
      this.setBuffer(state, 'momentum_buffer', buf);
      d = hyper.nesterov === true ? tf.add(d, tf.mul(buf, momentum)) : buf;
    }
    variable.assign(tf.sub(variable, tf.mul(d, lr)));
  }
}
