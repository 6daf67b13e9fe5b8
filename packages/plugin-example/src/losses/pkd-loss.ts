/**
 * PKD: "General Distillation Framework for Object Detectors via Pearson Correlation Coefficient" (Cao et al.,
 * NeurIPS 2022); mirrors MMRazor `PKDLoss` (`mmrazor/models/losses/pkd_loss.py`):
 *   norm(F) = (F − mean_c) / (std_c + 1e-6), mean and (Bessel-corrected, as torch.std) std per channel c over (N, H, W),
 *   loss = loss_weight · Σ over feature pairs of mean((norm(S) − norm(T))²) / 2.
 * Normalising first makes the MSE equal 1 − r, r the Pearson correlation of student and teacher features, so the
 * student imitates the teacher's feature *pattern* and not its magnitude, which is what lets heterogeneous pairs
 * (an FCOS teacher, a RetinaNet student) distil. When the sizes differ, the student (or, with `resize_stu:
 * false`, the teacher) is resized bilinearly (half-pixel centres, PyTorch's `align_corners=False`).
 *
 * The teacher's features are detached here (MMRazor relies on a teacher run under no_grad for the same effect).
 *
 * As a loss of `@detlab/distill`'s `ConfigurableDistiller`, its forward arguments are MMRazor's `preds_S` and
 * `preds_T`; a `ModuleOutputs` recorder on `neck` (with `data_idx` null) gives each the whole list of FPN levels.
 *
 * @example
 * distill_losses: { loss_pkd: { type: 'example.PKDLoss', loss_weight: 6 } }   // MMRazor's FPN Faster R-CNN setting
 * loss_forward_mappings: { loss_pkd: {
 *   preds_S: { recorder: 'fpn', from_student: true }, preds_T: { recorder: 'fpn', from_student: false } } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError } from '@detlab/core';
import { Module } from '@detlab/tensor';
import { z } from 'zod';
import { EXAMPLE_MODELS } from '../registry.js';

/** Added to the standard deviation, as MMRazor does, so a constant channel normalises to 0 rather than NaN. */
const STD_EPS = 1e-6;

/** Options of `PKDLoss`, validated, with MMRazor's defaults. */
export const pkdLossSchema = z.strictObject({
  /** Factor on the loss. */
  loss_weight: z.number().nonnegative().default(1),
  /** When spatial sizes differ, resize the student to the teacher's size (true) or the teacher to the student's. */
  resize_stu: z.boolean().default(true),
});

/** Options of `PKDLoss`, keys as in MMRazor configs. */
export type PKDLossOptions = z.input<typeof pkdLossSchema>;

/**
 * Pearson-correlation feature distillation; see the file comment.
 *
 * `forward(predsS, predsT)`: one feature map [N, H, W, C] each, or equally long lists of them (FPN levels).
 *
 * @example
 * const pkd = MODELS.build<PKDLoss>({ type: 'example.PKDLoss', loss_weight: 6 });
 * pkd.forward(studentFpnOutputs, teacherFpnOutputs); // scalar
 */
@EXAMPLE_MODELS.register({ name: 'PKDLoss', schema: pkdLossSchema, description: 'Pearson-correlation feature distillation (MMRazor PKDLoss).' })
export class PKDLoss extends Module {
  /** The names of `forward`'s arguments, which `loss_forward_mappings` use (MMRazor's `PKDLoss.forward(preds_S, preds_T)`). */
  static readonly forwardArgs = ['preds_S', 'preds_T'] as const;
  readonly options: z.output<typeof pkdLossSchema>;

  constructor(options: PKDLossOptions = {}) {
    super();
    this.options = pkdLossSchema.parse(options);
  }

  /** loss_weight · Σ_pairs mean((norm(S) − norm(T))²) / 2. */
  forward(predsS: tf.Tensor4D | readonly tf.Tensor4D[], predsT: tf.Tensor4D | readonly tf.Tensor4D[]): tf.Scalar {
    const ss = Array.isArray(predsS) ? predsS : [predsS as tf.Tensor4D];
    const ts = Array.isArray(predsT) ? predsT : [predsT as tf.Tensor4D];
    if (ss.length !== ts.length || ss.length === 0) {
      throw new DetlabError(`PKDLoss.forward: expected as many student as teacher feature maps (at least one), got ${ss.length} and ${ts.length}`);
    }
    return tf.tidy(() => {
      let loss = tf.scalar(0);
      ss.forEach((s, i) => {
        let t = stopGradient(ts[i]!);
        if (s.shape[1] !== t.shape[1] || s.shape[2] !== t.shape[2]) {
          if (this.options.resize_stu) s = tf.image.resizeBilinear(s, [t.shape[1], t.shape[2]], false, true);
          else t = tf.image.resizeBilinear(t, [s.shape[1], s.shape[2]], false, true);
        }
        if (s.shape.join() !== t.shape.join()) {
          throw new DetlabError(
            `PKDLoss.forward: feature pair ${i} has student [${s.shape.join(', ')}] and teacher [${t.shape.join(', ')}]; ` +
              'batch and channels must match (give the student neck the teacher neck\'s out_channels)',
          );
        }
        const d = tf.sub(normalizePerChannel(s), normalizePerChannel(t)); // [N, H, W, C]
        loss = tf.add(loss, tf.div(tf.mean(tf.square(d)), 2));
      });
      return tf.mul(loss, this.options.loss_weight) as tf.Scalar;
    });
  }
}

/** (x − mean) / (std + 1e-6) per channel over (N, H, W); std with Bessel's correction, as torch.std. */
export function normalizePerChannel(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const count = x.shape[0] * x.shape[1] * x.shape[2];
    const mean = tf.mean(x, [0, 1, 2], true); // [1, 1, 1, C]
    const centered = tf.sub(x, mean);
    const variance = tf.div(tf.sum(tf.square(centered), [0, 1, 2], true), Math.max(count - 1, 1)); // unbiased
    return tf.div(centered, tf.add(tf.sqrt(variance), STD_EPS));
  });
}

/**
 * The identity with a zero gradient (`tensor.detach()`): the teacher's features are a target, not a path for
 * gradients, even when the teacher's weights are trainable.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detach(x) as T;
}

const detach: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x) => {
  const input = x as tf.Tensor;
  return { value: tf.clone(input), gradFunc: (dy) => tf.zerosLike(dy) };
});
