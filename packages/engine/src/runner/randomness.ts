/**
 * The run's seed, and the random state checkpoints carry.
 *
 * `randomness.seed` in the config fixes the seed; without one a seed is drawn and recorded in checkpoints, as
 * MMEngine does, so any run can be repeated. Tensor's random sequence (weight init, random ops) is reset to a
 * seed derived from (seed, epoch) at the start of every training epoch: the random state is then a function of
 * the checkpoint's epoch, and a run resumed at an epoch boundary draws exactly what an uninterrupted one draws.
 * (Tensor keeps its sequence position private, so a mid-epoch resume cannot restore it; data order is
 * unaffected, since samplers reseed by epoch too.)
 *
 * @example
 * const seed = resolveSeed({ seed: 42 }); // 42
 * reseedForEpoch(seed, 3); // tensor's setSeed(epochSeed(42, 3))
 */
import { ConfigError, describeValue, isPlainObject } from '@detlab/core';
import { setSeed } from '@detlab/tensor';
import { randomInt } from 'node:crypto';
import type { RngState } from '../checkpoint/run-checkpoint.js';

/** The seed of `randomness` (the config key), or a fresh random one when it sets none. */
export function resolveSeed(randomness: unknown): number {
  const seed = isPlainObject(randomness) ? randomness.seed : undefined;
  if (seed === undefined || seed === null) return randomInt(2 ** 31 - 1);
  if (!Number.isInteger(seed) || (seed as number) < 0) {
    throw new ConfigError(`randomness.seed: expected a non-negative integer, got ${describeValue(seed)}`, { configPath: 'randomness.seed' });
  }
  return seed as number;
}

/** The seed of epoch `epoch` of a run seeded with `seed`. */
export function epochSeed(seed: number, epoch: number): number {
  // A 32-bit mix, so that neighbouring epochs (and seeds) get unrelated sequences.
  return (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(epoch + 1, 0x165667b1)) >>> 0;
}

/** Resets tensor's random sequence for `epoch`; returns the state to save in a checkpoint. */
export function reseedForEpoch(seed: number, epoch: number): RngState {
  setSeed(epochSeed(seed, epoch));
  return { seed, epoch };
}
