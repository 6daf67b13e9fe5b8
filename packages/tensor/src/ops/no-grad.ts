/**
 * `noGrad(fn)`: runs `fn` without recording anything on the gradient tape, as PyTorch's `torch.no_grad()`.
 *
 * Inside `tf.grad`/`tf.variableGrads` every kernel is recorded on the tape and the tensors its gradient needs
 * are cloned and kept until the backward pass. A frozen teacher's forward pass needs neither: nothing
 * differentiates through it. tfjs has no public switch for this, so `noGrad` sets the engine's
 * `gradientDepth` (the counter `tf.grad` raises; the tape records only while it is above zero) to zero for
 * the call and restores it afterwards, also when `fn` throws. Outputs of `fn` are constants to any gradient
 * taken around it.
 *
 * @example
 * const { value, grads } = tf.variableGrads(() => {
 *   const soft = noGrad(() => teacher.forward(x)); // no tape nodes, no kept clones
 *   return kd(student.forward(x), soft);
 * });
 */
import * as tf from '@tensorflow/tfjs-core';

/** The engine state `noGrad` switches; a field of tfjs's `EngineState` that its typings do not export. */
interface TapeState {
  gradientDepth: number;
}

/** Runs `fn` with gradient recording off; see the file comment. Synchronous functions only. */
export function noGrad<T>(fn: () => T): T {
  const state = tf.engine().state as unknown as TapeState;
  const depth = state.gradientDepth;
  if (typeof depth !== 'number') throw new Error('noGrad: this tfjs-core has no engine.state.gradientDepth; update noGrad for it');
  state.gradientDepth = 0;
  try {
    const result = fn();
    if (result instanceof Promise) throw new Error('noGrad: fn must be synchronous (the tape switch cannot span an await)');
    return result;
  } finally {
    state.gradientDepth = depth;
  }
}
