/**
 * Loss bookkeeping of `OptimWrapper`: which named losses are summed into the optimised total, and reading
 * scalars back as numbers with one device sync.
 *
 * @example
 * model.loss(batch) // { loss_cls, loss_bbox, loss_centerness }: their sum is optimised, each is logged
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, describeValue } from '@detlab/core';

/**
 * `[['loss', total], ...others]`: the total of the entries whose key contains 'loss' comes first (MMEngine's
 * `parse_losses`); a bare scalar is the total itself.
 *
 * @example
 * parseLosses({ loss_cls: a, loss_bbox: b, acc: c }); // [['loss', a + b], ['loss_cls', a], ['loss_bbox', b], ['acc', c]]
 */
export function parseLosses(out: tf.Scalar | Record<string, tf.Scalar>): Array<[string, tf.Scalar]> {
  if (out instanceof tf.Tensor) {
    if (out.rank !== 0) throw new DetlabError(`[OptimWrapper] the loss must be a scalar tensor, got shape [${out.shape}]`);
    return [['loss', out]];
  }
  const named = Object.entries(out);
  for (const [key, t] of named) {
    if (!(t instanceof tf.Tensor) || t.rank !== 0) {
      throw new DetlabError(`[OptimWrapper] loss '${key}': expected a scalar tensor, got ${t instanceof tf.Tensor ? `shape [${t.shape}]` : describeValue(t)}`);
    }
  }
  const terms = named.filter(([k]) => k.includes('loss')).map(([, t]) => t);
  if (terms.length === 0) {
    throw new DetlabError(`[OptimWrapper] no loss to optimize: none of the keys ${named.map(([k]) => k).join(', ') || '(none)'} contains 'loss'`);
  }
  const total = terms.length === 1 ? terms[0] : (tf.addN(terms) as tf.Scalar);
  return [['loss', total], ...named.filter(([k]) => k !== 'loss')];
}

/**
 * Reads scalars as numbers with one device sync (one `dataSync` of their stack).
 *
 * @example
 * const [loss, gradNorm] = readScalars([lossTensor, normTensor]); // logged as train/loss, train/grad_norm
 */
export function readScalars(scalars: readonly tf.Tensor[]): number[] {
  if (scalars.length === 0) return [];
  const stacked = tf.tidy(() => tf.stack(scalars.map((s) => tf.cast(s, 'float32'))));
  const values = Array.from(stacked.dataSync());
  stacked.dispose();
  return values;
}
