/**
 * A small seedable random number generator for sweeps (reference/wandb.md §6: W&B seeds nothing; detlab takes
 * a seed so that tests and `--seed` reproduce a search).
 *
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded through splitmix32; 2^128 state, passes
 * PractRand, and needs no dependency.
 *
 * @example
 * const rng = createRng(42);
 * rng.next(); // uniform in [0, 1)
 */

/** A source of uniform numbers in [0, 1). */
export interface Rng {
  /** The next uniform number in [0, 1). */
  next(): number;
}

/** A generator seeded with `seed` (any number), or from `Math.random` when undefined. */
export function createRng(seed?: number): Rng {
  let s = (seed === undefined ? Math.floor(Math.random() * 2 ** 32) : Math.floor(seed)) >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 2 ** 32;
  };
  for (let i = 0; i < 12; i++) next(); // discard the first outputs, as the sfc32 reference does
  return { next };
}
