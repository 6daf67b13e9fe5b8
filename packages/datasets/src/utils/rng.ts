/**
 * Seeded random numbers for data augmentation and dataset making.
 *
 * A generator is derived from a tuple of integers (`seed`, `epoch`, `index`, ...) by hashing, so the numbers a
 * sample's transforms draw depend only on which sample it is, never on which worker decoded it or when. The
 * generator is mulberry32 (32-bit state, full 2^32 period): small, fast, and good enough for picking flips and
 * placements; it is not a cryptographic or a statistical-testing generator.
 *
 * @example
 * const rng = sampleRng(0, 3, 42); // seed 0, epoch 3, dataset index 42
 * if (rng.random() < 0.5) flip();
 */

/**
 * A seeded pseudo-random generator; every method advances the same stream.
 *
 * @example
 * const rng = new Rng(123);
 * rng.random(); // in [0, 1)
 * rng.int(10); // in 0..9
 */
export class Rng {
  private state: number;

  /** `seed` is any integer; it is reduced to 32 bits. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  random(): number {
    // mulberry32 (Tommy Ettinger): one add, three xor-shift-multiplies.
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** An integer in [lo, hi], both ends included. */
  intBetween(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.random();
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

/**
 * A 32-bit hash of a tuple of integers (murmur3's finalizer after each word), used as a derived seed.
 * Different tuples give unrelated streams, unlike `seed + epoch`, which makes (seed 1, epoch 0) equal to
 * (seed 0, epoch 1).
 *
 * @example
 * hashSeed(0, 1) !== hashSeed(1, 0); // true
 */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Split into two 32-bit words so seeds up to 2^53 keep their high bits.
    const lo = part >>> 0;
    const hi = Math.floor(part / 4294967296) >>> 0;
    h = fmix32(h ^ lo);
    h = fmix32(h ^ hi ^ 0x85ebca6b);
  }
  return h;
}

/**
 * The generator of one sample in one epoch: the same (seed, epoch, index) always draws the same numbers.
 *
 * @example
 * sampleRng(0, 0, 5).random() === sampleRng(0, 0, 5).random(); // true
 */
export function sampleRng(seed: number, epoch: number, index: number): Rng {
  return new Rng(hashSeed(seed, epoch, index));
}

function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
