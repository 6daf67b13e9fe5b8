/**
 * Central finite differences: the independent reference that gradient tests compare tfjs's analytic
 * gradients with. Values are read with `dataSync` outside any `tidy` (tfjs-in-node.md §4.5).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * ∂loss/∂v by central differences, (loss(v + h·eᵢ) − loss(v − h·eᵢ)) / 2h for every element, accumulated in
 * float64. For a loss linear in v (a projection of a convolution) any h is exact up to rounding.
 */
export function centralDifferences(loss: (v: Float32Array) => number, at: Float32Array, h: number): Float64Array {
  const v = Float32Array.from(at);
  const grad = new Float64Array(v.length);
  for (let i = 0; i < v.length; i += 1) {
    const original = v[i]!;
    v[i] = original + h;
    const plus = loss(v);
    v[i] = original - h;
    const minus = loss(v);
    v[i] = original;
    grad[i] = (plus - minus) / (2 * h);
  }
  return grad;
}

/**
 * ∂f/∂x by central differences for a tensor function `f` returning a scalar; `f` is called 2·x.size times,
 * so keep `x` small.
 */
export function numericGradient(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h = 1e-2): Float64Array {
  const evaluate = (values: Float32Array): number => {
    const value = tf.tidy(() => f(tf.tensor(values, x.shape, 'float32')));
    const result = value.dataSync()[0]!;
    value.dispose();
    return result;
  };
  return centralDifferences(evaluate, x.dataSync() as Float32Array, h);
}

/** The largest |a − b| / max(|b|, floor) over all elements: a relative error that tolerates values near 0. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < expected.length; i += 1) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), floor));
  }
  return worst;
}

/** A fixed pseudo-random projection makes a scalar loss sum(y·r) whose gradient exercises every output. */
export function projectionLoss(y: tf.Tensor, seed = 7): tf.Scalar {
  return tf.sum(tf.mul(y, tf.randomUniform(y.shape, -1, 1, 'float32', seed)));
}
