/**
 * Transposes the last two axes of a wasm tensor, fast at the power-of-two sizes of conv nets.
 *
 * wasm's Transpose of a [rows, cols] matrix writes with a stride of `rows` floats; at rows = 8192 (2 × 64 × 64
 * pixels) that stride is 32 KiB, every write lands in the same cache sets, and [8192, 256] takes ~35 ms. The same
 * permutation written as [a, b, cols] → [cols, a, b] (rows = a · b) runs wasm's 3-D loop nest instead and takes
 * ~5 ms (bench/conv-grads.mjs). Numerically it is the same copy.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelScope } from './kernel-scope.js';

/** x [...batch, rows, cols] → [...batch, cols, rows]; `batch` is the product of the leading axes (1 if none). */
export function transposeLastTwo(scope: KernelScope, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const rows = x.shape[rank - 2]!;
  const cols = x.shape[rank - 1]!;
  const lead = x.shape.slice(0, rank - 2);
  const batch = lead.reduce((p, d) => p * d, 1);
  const a = splitFactor(rows);
  const view = scope.run('Reshape', { x }, { shape: [batch, a, rows / a, cols] });
  const moved = scope.run('Transpose', { x: view }, { perm: [0, 3, 1, 2] }); // [batch, cols, a, rows / a]
  return scope.run('Reshape', { x: moved }, { shape: [...lead, cols, rows] });
}

/** The divisor of n closest to √n from below (1 for a prime, which leaves the matrix as it is). */
export function splitFactor(n: number): number {
  for (let a = Math.floor(Math.sqrt(n)); a > 1; a -= 1) if (n % a === 0) return a;
  return 1;
}
