import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { upsampleNearest } from '../ops/upsample-nearest.js';
import { liveCounts, maxError, onBackend, seededValues } from './__fixtures__/gradient-check.js';
import { KERNEL_FIXES, kernelFixesRegistered, registerKernelFixes, unregisterKernelFixes } from './register-kernel-fixes.js';

const kernel = (name: string, backend = 'wasm') => tf.getKernel(name, backend) as tf.KernelConfig | undefined;

/** The wasm kernels that the fixes replace and that delegate to the originals (Conv2DBackpropInput aside). */
const REPLACED_WASM = ['BatchMatMul', 'Sum', 'Mean', 'Conv2D', 'MaxPoolGrad', 'Identity', 'Slice', 'SplitV'];

beforeAll(async () => {
  await initBackend('wasm'); // registers the fixes
});

afterEach(() => {
  registerKernelFixes();
  vi.restoreAllMocks();
});

describe('registerKernelFixes', () => {
  it('is installed by initBackend: the two missing wasm kernels exist, the ten replaced ones (nine wasm, one cpu) are ours', () => {
    expect(kernelFixesRegistered()).toBe(true);
    expect(KERNEL_FIXES.map((fix) => `${fix.backendName}_${fix.kernelName}`).sort()).toEqual([
      'cpu_ResizeNearestNeighborGrad',
      'wasm_BatchMatMul',
      'wasm_Conv2D',
      'wasm_Conv2DBackpropFilter',
      'wasm_Conv2DBackpropInput',
      'wasm_Identity',
      'wasm_MaxPoolGrad',
      'wasm_Mean',
      'wasm_Slice',
      'wasm_SplitV',
      'wasm_Sum',
      'wasm_UnsortedSegmentSum',
    ]);
    for (const fix of KERNEL_FIXES) expect(kernel(fix.kernelName, fix.backendName)).toBe(fix);
  });

  it('is idempotent: a second call changes nothing and logs no "already registered" warning', () => {
    const warn = vi.spyOn(console, 'warn');
    registerKernelFixes();
    registerKernelFixes();
    expect(warn).not.toHaveBeenCalled();
    for (const fix of KERNEL_FIXES) expect(kernel(fix.kernelName, fix.backendName)).toBe(fix);
  });

  it('is undone by unregisterKernelFixes, which restores the kernels it replaced', () => {
    const cpuGrad = tf.getKernel('ResizeNearestNeighborGrad', 'cpu');
    unregisterKernelFixes();
    expect(kernel('ResizeNearestNeighborGrad', 'cpu')).not.toBe(cpuGrad);
    expect(kernel('ResizeNearestNeighborGrad', 'cpu')).toBeDefined();
    expect(kernelFixesRegistered()).toBe(false);
    expect(kernel('Conv2DBackpropFilter')).toBeUndefined();
    expect(kernel('UnsortedSegmentSum')).toBeUndefined();
    const original = kernel('Conv2DBackpropInput');
    expect(original).toBeDefined();
    expect(KERNEL_FIXES).not.toContain(original);

    const replaced = REPLACED_WASM.map((name) => kernel(name));
    for (const config of replaced) {
      expect(config).toBeDefined();
      expect(KERNEL_FIXES).not.toContain(config);
    }

    registerKernelFixes();
    unregisterKernelFixes();
    expect(kernel('Conv2DBackpropInput')).toBe(original); // the same original comes back every time
    expect(REPLACED_WASM.map((name) => kernel(name))).toEqual(replaced);
  });

  it('leaves the restored original usable, with the same result as the fix', () => {
    const dy = tf.randomNormal([2, 4, 4, 5], 0, 1, 'float32', 1);
    const filter = tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 2);
    const transpose = () => tf.conv2dTranspose(dy as tf.Tensor4D, filter as tf.Tensor4D, [2, 7, 7, 3], 2, 'same');
    const ours = transpose();
    unregisterKernelFixes();
    const naive = transpose(); // wasm's C++ loop, set up again by unregisterKernelFixes
    const diff = tf.max(tf.abs(tf.sub(ours, naive)));
    expect(diff.dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([dy, filter, ours, naive, diff]);
  });

  it('leaves the restored BatchMatMul, Sum and Mean usable, with the same results as the fixes', () => {
    const a = tf.tensor(seededValues(6 * 5, 3), [6, 5]);
    const b = tf.tensor(seededValues(4 * 6, 4), [4, 6]);
    const x = tf.tensor(seededValues(3 * 4 * 5, 5), [3, 4, 5]);
    const run = () => [tf.matMul(a, b, true, true), tf.sum(x, [0, 1]), tf.mean(x, 0, true)].map((y) => {
      const values = Array.from(y.dataSync());
      y.dispose();
      return values;
    });
    const ours = run();
    unregisterKernelFixes();
    const originals = run(); // wasm's own kernels, set up again by unregisterKernelFixes
    ours.forEach((values, i) => expect(maxError(values, originals[i]!)).toBeLessThan(1e-5));
    tf.dispose([a, b, x]);
  });

  it('leaves the restored MaxPoolGrad and Identity usable: the same gradient, and a clone that copies again', () => {
    // Positive, distinct values: wasm's C++ kernel starts each window's maximum at FLT_MIN, not -Infinity, so a
    // window of values ≤ 0 sends its gradient to the wrong place, and on ties the last maximum wins.
    const x = tf.tensor4d(seededValues(2 * 9 * 9 * 4, 6).map((v) => v + 2), [2, 9, 9, 4]);
    const run = () => {
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 3, 2, 'same')))(x);
      const values = Array.from(dx.dataSync());
      dx.dispose();
      return values;
    };
    const ours = run();
    const shared = tf.clone(x);
    expect(shared.dataId).toBe(x.dataId);
    unregisterKernelFixes();
    expect(run()).toEqual(ours); // wasm's C++ MaxPoolGrad, set up again by unregisterKernelFixes
    const copied = tf.clone(x);
    expect(copied.dataId).not.toBe(x.dataId);
    expect(Array.from(copied.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, shared, copied]);
  });
});

describe('the kernel fixes together', () => {
  /** Gradients of a tiny detector-like step: stride-2 conv, 1×1 lateral, 2× upsample, 3×3 head, gather. */
  function step(): number[][] {
    const x = tf.tensor4d(seededValues(2 * 8 * 8 * 3, 41), [2, 8, 8, 3]);
    const weights = [
      tf.tensor4d(seededValues(3 * 3 * 3 * 8, 42), [3, 3, 3, 8]),
      tf.tensor4d(seededValues(8 * 4, 43), [1, 1, 8, 4]),
      tf.tensor4d(seededValues(3 * 3 * 4 * 2, 44), [3, 3, 4, 2]),
    ];
    const anchors = tf.tensor1d([5, 0, 127, 5, 64], 'int32'); // gathered positions, one repeated
    const loss = (w0: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor) => {
      const c3 = tf.relu(tf.conv2d(x, w0 as tf.Tensor4D, 2, 'same')); // [2, 4, 4, 8]
      const lateral = upsampleNearest(tf.conv2d(c3, w1 as tf.Tensor4D, 1, 'same'), [8, 8]); // [2, 8, 8, 4]
      const head = tf.conv2d(lateral, w2 as tf.Tensor4D, 1, 'same'); // [2, 8, 8, 2]
      const picked = tf.gather(tf.reshape(head, [-1, 2]), anchors); // [5, 2]
      return tf.sum(tf.sigmoid(picked));
    };
    const grads = tf.tidy(() => tf.grads(loss)(weights));
    const values = grads.map((g) => Array.from(g.dataSync()));
    tf.dispose([x, ...weights, anchors, ...grads]);
    return values;
  }

  it('make a conv + upsample + gather step on wasm give the cpu backend\'s gradients, leaking nothing', async () => {
    step();
    const before = liveCounts();
    const wasm = step();
    expect(liveCounts()).toEqual(before);
    const cpu = await onBackend('cpu', step);
    wasm.forEach((g, i) => expect(maxError(g, cpu[i]!)).toBeLessThan(1e-5));
  });
});
