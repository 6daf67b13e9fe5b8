/**
 * Channel-wise distillation (Shu et al., "Channel-wise Knowledge Distillation for Dense Prediction", 2021);
 * mirrors MMRazor `ChannelWiseDivergence` (`mmrazor/models/losses/cwd.py`). Each channel of each sample is
 * turned into a distribution over its H·W positions, p = softmax(x / τ), and
 *   loss = loss_weight · τ² · Σ_{N, C, H·W} p_T·(log p_T − log p_S) / (N · C)
 * i.e. the KL(p_T ‖ p_S) per channel, averaged over channels and samples. Features are NHWC here (MMRazor's are
 * NCHW); the value is the same. The teacher's features never receive gradient.
 *
 * @example
 * distill_losses: { loss_cwd_fpn0: { type: 'ChannelWiseDivergence', tau: 1, loss_weight: 10 } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, MODELS } from '@detlab/core';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { formatShape, sameShape, softenedKL, stopGradient } from './utils.js';

/**
 * Options of `ChannelWiseDivergence`, validated, with MMRazor's defaults.
 *
 * @example
 * channelWiseDivergenceSchema.parse({}); // { tau: 1, loss_weight: 1 }
 */
export const channelWiseDivergenceSchema = z.strictObject({
  /** Temperature τ of the spatial softmax. */
  tau: z.number().positive().default(1),
  /** Factor on the loss. */
  loss_weight: z.number().default(1),
});

/**
 * Options of `ChannelWiseDivergence`, keys as in MMRazor configs.
 *
 * @example
 * const options: ChannelWiseDivergenceOptions = { tau: 1, loss_weight: 10 };
 */
export type ChannelWiseDivergenceOptions = z.input<typeof channelWiseDivergenceSchema>;

/**
 * Per-channel spatial KL of teacher and student feature maps; see the file comment.
 *
 * `forward(predsS, predsT)`: [N, H, W, C] each.
 *
 * @example
 * const loss = MODELS.build<ChannelWiseDivergence>({ type: 'ChannelWiseDivergence', tau: 1, loss_weight: 10 });
 * loss.forward(studentFpn0, teacherFpn0); // scalar
 */
@MODELS.register({ name: 'ChannelWiseDivergence', schema: channelWiseDivergenceSchema, description: 'Channel-wise distillation (MMRazor CWD).' })
export class ChannelWiseDivergence extends Module {
  /** The names of `forward`'s tensor arguments, which `loss_forward_mappings` use (MMRazor's). */
  static readonly forwardArgs = ['preds_S', 'preds_T'] as const;
  readonly options: z.output<typeof channelWiseDivergenceSchema>;

  constructor(options: ChannelWiseDivergenceOptions = {}) {
    super();
    this.options = channelWiseDivergenceSchema.parse(options);
  }

  /** loss_weight · τ² · Σ KL per (sample, channel) of the spatial softmaxes, divided by N·C. */
  forward(predsS: tf.Tensor, predsT: tf.Tensor): tf.Tensor {
    const { tau, loss_weight } = this.options;
    if (predsS.rank !== 4 || !sameShape(predsS, predsT)) {
      throw new DetlabError(`ChannelWiseDivergence.forward: expected student and teacher features of one shape [N, H, W, C], got ${formatShape(predsS)} and ${formatShape(predsT)}`);
    }
    const [n, h, w, c] = predsS.shape as [number, number, number, number];
    return tf.tidy(() => {
      // tfjs's softmax takes the last axis only, so the positions go last: [N, H, W, C] → [N, C, H·W].
      const s = tf.reshape(tf.transpose(predsS, [0, 3, 1, 2]), [n, c, h * w]);
      const t = tf.reshape(tf.transpose(stopGradient(predsT), [0, 3, 1, 2]), [n, c, h * w]);
      const kl = tf.sum(softenedKL(s, t, tau)); // Σ over N, C, H·W
      return tf.mul(kl, (loss_weight * tau * tau) / (n * c));
    });
  }
}
