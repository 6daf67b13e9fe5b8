/**
 * Seeded randomness for weight init, so that a run with `randomness.seed` set initialises identically.
 *
 * tfjs random ops take a per-call seed; this module hands out a reproducible sequence of them.
 */
let baseSeed: number | undefined;
let counter = 0;

/** Fixes the seed sequence; `undefined` goes back to unseeded (different every run). */
export function setSeed(seed: number | undefined): void {
  baseSeed = seed;
  counter = 0;
}

/** The seed for the next random op: deterministic after `setSeed`, undefined (random) otherwise. */
export function nextSeed(): number | undefined {
  if (baseSeed === undefined) return undefined;
  counter += 1;
  // A simple integer hash spreads consecutive calls; tfjs seeds are doubles, any value works.
  return (Math.imul(baseSeed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(counter, 0xc2b2ae35)) >>> 0;
}
