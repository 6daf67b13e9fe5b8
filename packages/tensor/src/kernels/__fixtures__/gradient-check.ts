/**
 * Test helpers for gradient kernels: seeded data, central finite differences with the loss accumulated in
 * float64, and error measures. Values are read outside `tf.tidy` (reference §4.5).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../backend/select-backend.js';
// One implementation of finite differences and error measures for every gradient test of the package.
export { centralDifferences, maxRelativeError as maxError } from '../../testing/finite-differences.js';

/** `n` values uniform in [-1, 1) from a seeded generator (mulberry32), so failures reproduce. */
export function seededValues(n: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 1) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Σ a·b in float64. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}

/** Runs `body` on another backend (through `initBackend`), then returns to the one that was active. */
export async function onBackend<T>(name: 'cpu' | 'wasm', body: () => T): Promise<T> {
  const previous = tf.getBackend() as 'cpu' | 'wasm';
  await initBackend(name);
  try {
    return body();
  } finally {
    await initBackend(previous);
  }
}

/** Every live tensor count tfjs and the wasm backend keep, for leak checks. */
export function liveCounts(): { numTensors: number; numBytes: number; dataIds: number } {
  const { numTensors, numBytes } = tf.memory();
  return { numTensors, numBytes, dataIds: tf.engine().backend.numDataIds() };
}
