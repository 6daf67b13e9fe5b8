import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { noGrad } from './no-grad.js';

/** Nodes on the active gradient tape (tfjs keeps it on the engine state while a gradient is being taken). */
function tapeLength(): number {
  return (tf.engine().state as unknown as { activeTape: unknown[] | null }).activeTape?.length ?? 0;
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('noGrad', () => {
  it('records no tape nodes for the ops inside it, while ops outside are recorded', () => {
    const w = tf.variable(tf.tensor1d([2, 3]), true, 'noGrad_w');
    let insideNodes = -1;
    let outsideNodes = -1;
    const { value, grads } = tf.variableGrads(() => {
      const before = tapeLength();
      const constant = noGrad(() => tf.mul(w, tf.scalar(10)).sum()); // 30 + 20 = 50
      insideNodes = tapeLength() - before;
      const tracked = tf.mul(w, w).sum(); // d/dw = 2w
      outsideNodes = tapeLength() - before;
      return tf.add(tracked, constant) as tf.Scalar;
    }, [w]);
    expect(insideNodes).toBe(0);
    expect(outsideNodes).toBeGreaterThan(0);
    expect(value.dataSync()[0]).toBeCloseTo(4 + 9 + 50, 5);
    // Only the tracked branch contributes: 2w = [4, 6], not 2w + 10.
    expect([...grads[w.name]!.dataSync()]).toEqual([4, 6]);
    tf.dispose([value, ...Object.values(grads), w]);
  });

  it('restores the tape switch after a throw, so later gradients still work', () => {
    const x = tf.scalar(3);
    expect(() =>
      tf.grad((v: tf.Tensor) => {
        noGrad(() => {
          throw new Error('boom');
        });
        return v.square();
      })(x),
    ).toThrow('boom');
    const g = tf.grad((v: tf.Tensor) => v.square())(x); // 2x = 6
    expect(g.dataSync()[0]).toBe(6);
    tf.dispose([x, g]);
  });

  it('returns the value of fn and rejects async functions', () => {
    expect(noGrad(() => 7)).toBe(7);
    expect(() => noGrad(async () => 1)).toThrow('synchronous');
  });
});
