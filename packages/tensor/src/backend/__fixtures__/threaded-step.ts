/**
 * Runs in a worker thread (its own tfjs engine, so its own wasm backend): initialises wasm with the thread count
 * asked for and computes a small conv + matMul training step on seeded data, returning what it computed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../select-backend.js';
import { requestWasmThreads, wasmThreadsCount } from '../wasm-threads.js';

export interface ThreadedStepResult {
  threads: number;
  /** oneDNN's threads when it ran the convolutions, 0 when it did not. */
  oneDnnThreads: number;
  /** requestWasmThreads(threads + 1) after initialisation: false, the count is fixed by then. */
  changeAfterInit: boolean;
  values: number[];
  tensorsLeaked: number;
}

export async function run({ threads, onednn = false }: { threads: number; onednn?: boolean }): Promise<ThreadedStepResult> {
  const report = await initBackend('wasm', undefined, { threads, onednn });
  const seeded = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);
  const x = seeded([2, 32, 32, 16], 1);
  const w = seeded([3, 3, 16, 64], 2);
  const m = seeded([64, 48], 3);
  const before = tf.memory().numTensors;
  const result = tf.tidy(() => {
    const loss = (wt: tf.Tensor, mt: tf.Tensor) => {
      const y = tf.relu(tf.conv2d(x as tf.Tensor4D, wt as tf.Tensor4D, 1, 'same')); // [2, 32, 32, 64]
      const z = tf.matMul(tf.reshape(y, [-1, 64]), mt as tf.Tensor2D); // [2048, 48]
      return tf.mean(tf.square(z));
    };
    const [dw, dm] = tf.grads(loss)([w, m]);
    return tf.concat([tf.reshape(loss(w, m), [1]), tf.reshape(dw!, [-1]), tf.reshape(dm!, [-1])]);
  });
  const values = Array.from(result.dataSync());
  result.dispose();
  const tensorsLeaked = tf.memory().numTensors - before;
  tf.dispose([x, w, m]);
  const oneDnnThreads = report.onednn.active ? report.onednn.threads : 0;
  return { threads: report.threads === wasmThreadsCount() ? report.threads : -1, oneDnnThreads, changeAfterInit: requestWasmThreads(threads + 1), values, tensorsLeaked };
}
