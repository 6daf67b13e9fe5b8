import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { batchMatMulWasmConfig } from './batch-mat-mul.js';
import { liveCounts, maxError, seededValues } from './__fixtures__/gradient-check.js';

/** C = op(A) · op(B) with op(A) [batchA, m, k], op(B) [batchB, k, n]; a batch of 1 broadcasts. */
interface Case {
  name: string;
  m: number;
  k: number;
  n: number;
  /** Leading (batch) shape of a and b; [] for plain matrices. */
  batchA: number[];
  batchB: number[];
}

const CASES: Case[] = [
  { name: '2-D, power of two 256x512 · 512x128', m: 256, k: 512, n: 128, batchA: [], batchB: [] },
  { name: '2-D, odd/prime 7x13 · 13x5', m: 7, k: 13, n: 5, batchA: [], batchB: [] },
  { name: '2-D, row times column (m = n = 1)', m: 1, k: 11, n: 1, batchA: [], batchB: [] },
  { name: '2-D, outer product (k = 1)', m: 6, k: 1, n: 9, batchA: [], batchB: [] },
  { name: '3-D, batch 3, 12x8 · 8x10', m: 12, k: 8, n: 10, batchA: [3], batchB: [3] },
  { name: '3-D, batch 3, odd 9x7 · 7x13', m: 9, k: 7, n: 13, batchA: [3], batchB: [3] },
  { name: '3-D, broadcast batch 1 (a) vs 3 (b)', m: 5, k: 6, n: 7, batchA: [1], batchB: [3] },
  { name: '3-D, broadcast batch 3 (a) vs 1 (b)', m: 5, k: 6, n: 7, batchA: [3], batchB: [1] },
  { name: '4-D, batch [2, 3], 4x6 · 6x5', m: 4, k: 6, n: 5, batchA: [2, 3], batchB: [2, 3] },
  { name: '2-D a against 3-D b, batch 3', m: 5, k: 4, n: 6, batchA: [], batchB: [3] },
];

const FLAGS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

const TABLE = CASES.flatMap((c) => FLAGS.map(([transposeA, transposeB]) => ({ ...c, transposeA, transposeB })));

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** The stored shape of an operand whose logical matrix is [rows, cols]: [cols, rows] when transposed. */
const stored = (batch: number[], rows: number, cols: number, transpose: boolean) =>
  transpose ? [...batch, cols, rows] : [...batch, rows, cols];

/** [batch, rows, cols] → [batch, cols, rows] when `flag`, in float64; a copy otherwise. */
function transposeIf(values: ArrayLike<number>, batch: number, rows: number, cols: number, flag: boolean): Float64Array {
  const out = new Float64Array(batch * rows * cols);
  for (let b = 0; b < batch; b += 1) {
    for (let i = 0; i < rows; i += 1) {
      for (let j = 0; j < cols; j += 1) {
        const from = (b * rows + i) * cols + j;
        out[flag ? (b * cols + j) * rows + i : from] = values[from]!;
      }
    }
  }
  return out;
}

/** Σ_p L[b, i, p] · R[b, p, j] in float64; a batch of 1 broadcasts against `batch`. */
function product(
  left: Float64Array,
  leftBatch: number,
  right: Float64Array,
  rightBatch: number,
  batch: number,
  m: number,
  k: number,
  n: number,
): Float64Array {
  const out = new Float64Array(batch * m * n);
  for (let b = 0; b < batch; b += 1) {
    const lb = leftBatch === 1 ? 0 : b;
    const rb = rightBatch === 1 ? 0 : b;
    for (let i = 0; i < m; i += 1) {
      for (let j = 0; j < n; j += 1) {
        let sum = 0;
        for (let p = 0; p < k; p += 1) sum += left[(lb * m + i) * k + p]! * right[(rb * k + p) * n + j]!;
        out[(b * m + i) * n + j] = sum;
      }
    }
  }
  return out;
}

function operands(c: Case & { transposeA: boolean; transposeB: boolean }) {
  const aShape = stored(c.batchA, c.m, c.k, c.transposeA);
  const bShape = stored(c.batchB, c.k, c.n, c.transposeB);
  const a = seededValues(size(aShape), 11);
  const b = seededValues(size(bShape), 12);
  const batchA = size(c.batchA);
  const batchB = size(c.batchB);
  const batch = Math.max(batchA, batchB);
  // The logical matrices op(A) [batchA, m, k] and op(B) [batchB, k, n], in float64.
  const left = transposeIf(a, batchA, aShape.at(-2)!, aShape.at(-1)!, c.transposeA);
  const right = transposeIf(b, batchB, bShape.at(-2)!, bShape.at(-1)!, c.transposeB);
  const outBatch = c.batchA.length >= c.batchB.length ? (batchA >= batchB ? c.batchA : c.batchB) : c.batchB;
  return { a, b, aShape, bShape, left, right, batchA, batchB, batch, outShape: [...outBatch, c.m, c.n] };
}

/** tf.matMul on the active backend, read outside tidy. */
function matMul(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], transposeA: boolean, transposeB: boolean) {
  const y = tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), transposeA, transposeB));
  const result = { shape: y.shape, values: y.dataSync() as Float32Array };
  y.dispose();
  return result;
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('BatchMatMul on wasm (transposed operands made explicit)', () => {
  it('is the registered wasm BatchMatMul', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(batchMatMulWasmConfig);
  });

  it.each(TABLE)('matches a float64 product: $name, transposeA $transposeA, transposeB $transposeB', (c) => {
    const { a, b, aShape, bShape, left, right, batchA, batchB, batch, outShape } = operands(c);
    const expected = product(left, batchA, right, batchB, batch, c.m, c.k, c.n);
    const { shape, values } = matMul(a, aShape, b, bShape, c.transposeA, c.transposeB);
    expect(shape).toEqual(outShape);
    expect(maxError(values, expected)).toBeLessThan(1e-4);
  });

  // tfjs's BatchMatMul gradient does not reduce over broadcast batch axes, so those cases are left out.
  it.each(TABLE.filter((c) => size(c.batchA) === size(c.batchB)))(
    'gives tf.grads equal to the float64 analytic gradients: $name, transposeA $transposeA, transposeB $transposeB',
    (c) => {
      const { a, b, aShape, bShape, left, right, batch, outShape } = operands(c);
      const r = seededValues(size(outShape), 13);
      const grads = tf.tidy(() => {
        const f = (at: tf.Tensor, bt: tf.Tensor) => tf.sum(tf.mul(tf.matMul(at, bt, c.transposeA, c.transposeB), tf.tensor(r, outShape)));
        return tf.grads(f)([tf.tensor(a, aShape), tf.tensor(b, bShape)]);
      });
      const [da, db] = grads.map((g) => g.dataSync() as Float32Array);
      expect(grads[0]!.shape).toEqual(aShape);
      expect(grads[1]!.shape).toEqual(bShape);
      tf.dispose(grads);

      // d op(A) = r · op(B)ᵀ [batch, m, k]; d op(B) = op(A)ᵀ · r [batch, k, n]; stored transposed where the operand is.
      const rt = Float64Array.from(r);
      const rightT = transposeIf(right, batch, c.k, c.n, true); // [batch, n, k]
      const leftT = transposeIf(left, batch, c.m, c.k, true); // [batch, k, m]
      const dLeft = product(rt, batch, rightT, batch, batch, c.m, c.n, c.k);
      const dRight = product(leftT, batch, rt, batch, batch, c.k, c.m, c.n);
      const daRef = transposeIf(dLeft, batch, c.m, c.k, c.transposeA);
      const dbRef = transposeIf(dRight, batch, c.k, c.n, c.transposeB);
      expect(maxError(da!, daRef)).toBeLessThan(1e-4);
      expect(maxError(db!, dbRef)).toBeLessThan(1e-4);
    },
  );

  it('leaves no tensor or wasm buffer behind, for a product or a gradient with transposed operands', () => {
    const a = tf.tensor(seededValues(3 * 6 * 4, 21), [3, 6, 4]);
    const b = tf.tensor(seededValues(3 * 5 * 6, 22), [3, 5, 6]);
    const run = () => {
      const y = tf.matMul(a, b, true, true);
      y.dataSync();
      y.dispose();
      const grads = tf.tidy(() => tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.matMul(x, w)))([b, a]));
      tf.dispose(grads);
    };
    run(); // warm up: first calls may cache kernels
    const before = liveCounts();
    run();
    expect(liveCounts()).toEqual(before);
    tf.dispose([a, b]);
  });

  it('leaves its inputs intact', () => {
    const values = seededValues(7 * 13, 31);
    const a = tf.tensor(values, [7, 13]);
    const y = tf.matMul(a, a, true, false); // [13, 13]
    y.dispose();
    expect(Array.from(a.dataSync())).toEqual(Array.from(values));
    expect(a.shape).toEqual([7, 13]);
    a.dispose();
  });
});

describe('BatchMatMul on wasm with an empty shared axis', () => {
  it('returns zeros for every transpose combination, as the cpu backend does', () => {
    tf.fill([100000], 7).dispose(); // leaves non-zero bytes where the output may be allocated
    for (const [ta, tb] of [[true, false], [false, true], [true, true]] as const) {
      const a = ta ? tf.zeros([0, 5]) : tf.zeros([5, 0]);
      const b = tb ? tf.zeros([3, 0]) : tf.zeros([0, 3]);
      const product = tf.matMul(a, b, ta, tb);
      expect(product.shape).toEqual([5, 3]);
      expect(Array.from(product.dataSync())).toEqual(new Array(15).fill(0));
      tf.dispose([a, b, product]);
    }
  });
});
