import { runModuleSync } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import type { ThreadedStepResult } from './__fixtures__/threaded-step.js';
import { MAX_WASM_THREADS, resolveThreads } from './wasm-threads.js';

const step = (threads: number) =>
  runModuleSync<ThreadedStepResult>(new URL('./__fixtures__/threaded-step.js', import.meta.url), { threads }, 120_000);

describe('multi-threaded wasm (env_cfg.num_threads)', () => {
  it('runs XNNPACK on 2 threads and computes what 1 thread computes', () => {
    const one = step(1);
    const two = step(2);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.values.length).toBe(one.values.length);
    // XNNPACK splits the output tiles between threads, not the sums: the same operations in the same order.
    let worst = 0;
    for (let i = 0; i < one.values.length; i += 1) {
      worst = Math.max(worst, Math.abs(one.values[i]! - two.values[i]!) / Math.max(Math.abs(one.values[i]!), 1e-3));
    }
    expect(worst).toBeLessThan(1e-5);
    expect(one.values[0]).toBeGreaterThan(0); // the loss, a mean of squares of non-zero values
    expect([one.tensorsLeaked, two.tensorsLeaked]).toEqual([0, 0]);
  }, 240_000);

  it('fixes the thread count when wasm initialises: a later request changes nothing', () => {
    expect(step(2).changeAfterInit).toBe(false);
  }, 120_000);

  it("resolves 'auto' to the cores (at most 8) and rejects counts it cannot run", () => {
    expect(resolveThreads('auto', 2)).toBe(2);
    expect(resolveThreads('auto', 64)).toBe(MAX_WASM_THREADS);
    expect(resolveThreads(undefined, 1)).toBe(1);
    expect(resolveThreads(3)).toBe(3);
    expect(() => resolveThreads(0)).toThrow(/env_cfg\.num_threads: expected an integer from 1 to 8 or 'auto', got 0/);
    expect(() => resolveThreads(9)).toThrow(/got 9/);
    expect(() => resolveThreads(1.5)).toThrow(/got 1\.5/);
  });
});
