/**
 * One tensor scope around async work: every tensor created inside and not kept is freed when it ends.
 *
 * `tf.tidy` cannot wrap async code (predictions read scores back, hooks write files), so an iteration opens a
 * scope with the engine's `startScope` and closes it in `finally`: after an iteration, the live tensor count is
 * what it was before, unless something kept a tensor on purpose (`tf.keep`, variables such as optimizer slots).
 * Scopes nest, so a model's own `tf.tidy` calls inside are fine.
 *
 * @example
 * const outputs = await inTensorScope(async () => model.predict(batch)); // plain data survives the scope
 */
import * as tf from '@tensorflow/tfjs-core';

/** Runs `fn` inside one tensor scope; see the file comment. Returned tensors are freed too: return plain data. */
export async function inTensorScope<T>(fn: () => Promise<T>): Promise<T> {
  const engine = tf.engine();
  engine.startScope();
  try {
    return await fn();
  } finally {
    engine.endScope();
  }
}
