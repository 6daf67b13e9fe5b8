import { runModuleSync } from '@detlab/core';
import { loadOneDnn } from '@detlab/onednn';
import { describe, expect, it } from 'vitest';
import type { ThreadedStepResult } from './__fixtures__/threaded-step.js';
import { MAX_WASM_THREADS, resolveThreads } from './wasm-threads.js';

const step = (threads: number, onednn = false) =>
  runModuleSync<ThreadedStepResult>(new URL('./__fixtures__/threaded-step.js', import.meta.url), { threads, onednn }, 120_000);

/** Largest difference relative to max(|one|, 1e-3). */
function worstRelative(one: number[], two: number[]): number {
  let worst = 0;
  for (let i = 0; i < one.length; i += 1) worst = Math.max(worst, Math.abs(one[i]! - two[i]!) / Math.max(Math.abs(one[i]!), 1e-3));
  return worst;
}

describe('multi-threaded wasm (env_cfg.num_threads)', () => {
  it('runs XNNPACK on 2 threads (oneDNN off) and computes what 1 thread computes', () => {
    const one = step(1);
    const two = step(2);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect([one.oneDnnThreads, two.oneDnnThreads]).toEqual([0, 0]);
    expect(two.values.length).toBe(one.values.length);
    // XNNPACK splits the output tiles between threads, not the sums: the same operations in the same order.
    expect(worstRelative(one.values, two.values)).toBeLessThan(1e-5);
    expect(one.values[0]).toBeGreaterThan(0); // the loss, a mean of squares of non-zero values
    expect([one.tensorsLeaked, two.tensorsLeaked]).toEqual([0, 0]);
  }, 240_000);

  it.skipIf(!loadOneDnn().ok)('gives the threads to oneDNN where it runs the convolutions, wasm keeping one, with the same results', () => {
    const one = step(1, true);
    const two = step(2, true);
    expect([one.threads, two.threads]).toEqual([1, 1]);
    expect([one.oneDnnThreads, two.oneDnnThreads]).toEqual([1, 2]);
    // Filter gradients sum over pixels split between threads: the order of the additions may differ.
    expect(worstRelative(one.values, two.values)).toBeLessThan(1e-4);
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
