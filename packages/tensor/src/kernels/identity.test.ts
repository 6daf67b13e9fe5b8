import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { liveCounts, maxError, onBackend, seededValues } from './__fixtures__/gradient-check.js';
import { identityWasmConfig } from './identity.js';
import type { WasmBackendLike } from './kernel-scope.js';
import { originalKernel } from './original-kernels.js';

/** The wasm backend's reference count and heap view of a tensor. */
interface WasmInternals extends WasmBackendLike {
  refCount(dataId: object): number;
}

const wasm = () => tf.backend() as unknown as WasmInternals;
const heapOffset = (t: tf.Tensor) => wasm().typedArrayFromHeap(t).byteOffset;

beforeAll(async () => {
  await initBackend('wasm');
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Identity on wasm (shares the data)', () => {
  it('is the registered wasm Identity', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Identity', 'wasm')).toBe(identityWasmConfig);
  });

  it.each(['float32', 'int32', 'bool'] as const)('gives a %s clone the same values, shape and memory', (dtype) => {
    const values = Array.from(seededValues(24, 1), (v) => (dtype === 'float32' ? v : dtype === 'int32' ? Math.round(v * 100) : Number(v > 0)));
    const x = tf.tensor(values, [2, 3, 4], dtype);
    const before = liveCounts();
    const y = tf.clone(x);
    expect(y).not.toBe(x);
    expect(y.dtype).toBe(dtype);
    expect(y.shape).toEqual([2, 3, 4]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(y.dataId).toBe(x.dataId);
    expect(heapOffset(y)).toBe(heapOffset(x));
    expect(wasm().refCount(x.dataId)).toBe(2);
    // One more tensor, no new wasm buffer.
    expect(liveCounts().dataIds).toBe(before.dataIds);
    tf.dispose([x, y]);
  });

  it('keeps the data while either tensor lives, and frees it with the last', () => {
    for (const disposeFirst of ['clone', 'original'] as const) {
      const before = liveCounts();
      const values = seededValues(1000, 2);
      const x = tf.tensor(values, [10, 100]);
      const y = tf.clone(x);
      const [first, second] = disposeFirst === 'clone' ? [y, x] : [x, y];
      first.dispose();
      expect(first.isDisposed).toBe(true);
      expect(wasm().refCount(second.dataId)).toBe(1);
      const other = tf.fill([10, 100], 7); // would take the buffer, had it been freed
      expect(Array.from(second.dataSync())).toEqual(Array.from(values));
      const sum = tf.sum(second);
      expect(sum.dataSync()[0]).toBeCloseTo(values.reduce((p, v) => p + v, 0), 3);
      tf.dispose([other, sum, second]);
      expect(wasm().refCount(x.dataId)).toBe(0);
      expect(liveCounts()).toEqual(before);
    }
  });

  it('leaves the source unchanged when a kernel reads the clone (kernels do not write into inputs)', () => {
    const values = seededValues(64, 3);
    const x = tf.tensor(values, [8, 8]);
    const y = tf.clone(x);
    const outputs = [tf.relu(y), tf.add(y, 1), tf.matMul(y, y), tf.sum(y, 0), tf.reshape(y, [64])];
    expect(Array.from(x.dataSync())).toEqual(Array.from(values));
    tf.dispose([x, y, ...outputs]);
  });

  it('clones strings through the original kernel', () => {
    const original = vi.spyOn(originalKernel('Identity', 'wasm'), 'kernelFunc');
    const x = tf.tensor(['a', 'bc', 'def']);
    const y = tf.clone(x);
    expect(original).toHaveBeenCalledTimes(1);
    expect(y.dataSync()).toEqual(['a', 'bc', 'def']);
    tf.dispose([x, y]);
  });
});

describe('Identity on wasm in training', () => {
  /** Gradients of a conv → relu → max pool → custom-gradient square → conv chain; the engine clones what it saves. */
  function step(): number[][] {
    const x = tf.tensor4d(seededValues(2 * 9 * 9 * 3, 31), [2, 9, 9, 3]);
    const w0 = tf.tensor4d(seededValues(3 * 3 * 3 * 6, 32), [3, 3, 3, 6]);
    const w1 = tf.tensor4d(seededValues(3 * 3 * 6 * 4, 33), [3, 3, 6, 4]);
    // d(t²)/dt = 2t, written out so that the saved input goes through `save` (Engine.clone).
    const square = tf.customGrad((...args) => {
      const [t, save] = args as [tf.Tensor, tf.GradSaveFunc];
      save([t]);
      return { value: tf.square(t), gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.mul(dy, tf.mul(saved!, 2)) };
    });
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
      const h = tf.maxPool(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')), 3, 2, 'same');
      return tf.sum(tf.conv2d(square(h) as tf.Tensor4D, c as tf.Tensor4D, 1, 'valid'));
    };
    const grads = tf.tidy(() => tf.grads(loss)([x, w0, w1]));
    const values = grads.map((g) => Array.from(g.dataSync()));
    tf.dispose([x, w0, w1, ...grads]);
    return values;
  }

  it('gives the cpu backend\'s gradients, runs through this kernel and leaks nothing', async () => {
    step(); // warm up: first calls may cache kernels
    const identity = vi.spyOn(identityWasmConfig, 'kernelFunc');
    const before = liveCounts();
    const onWasm = step();
    expect(liveCounts()).toEqual(before);
    expect(identity).toHaveBeenCalled();
    const onCpu = await onBackend('cpu', step);
    onWasm.forEach((g, i) => expect(maxError(g, onCpu[i]!)).toBeLessThan(1e-4));
  });
});
