/** PyTorch accepts `3` or `[3, 3]` for kernel sizes, strides, paddings and dilations; these read both. */
import { z } from 'zod';

/** A size given once for both axes or as [height, width]. */
export const pairSchema = z.union([z.int().positive(), z.tuple([z.int().positive(), z.int().positive()])]);

/** `n` → `[n, n]`; a pair is returned as is. */
export function pair(value: number | readonly [number, number]): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}
