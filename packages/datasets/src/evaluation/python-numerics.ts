/**
 * Numerics that must match numpy and Python bit for bit, so that detlab's COCO numbers are pycocotools' and
 * mmdet's, not merely close to them.
 *
 * Why each one matters:
 * - `linspace`: pycocotools' recall thresholds are `np.linspace(0, 1, 101)`, whose 36th value is
 *   0.35000000000000003, not 0.35; a recall of exactly 7/20 therefore falls *below* it in `searchsorted`.
 * - `numpyMean`: `np.mean` sums pairwise, not left to right; the last bits differ, and a mean sitting on a
 *   rounding boundary would round differently.
 * - `numpyRound`: mmdet rounds `np.float64` stats with `round(val, 3)`, which numpy computes as
 *   `rint(val * 1000) / 1000`: 0.1235 becomes 0.124 there, while Python's own `round(0.1235, 3)` gives 0.123.
 * - `formatFixed`: pycocotools prints with `'{:0.3f}'`, correctly rounded with ties to even; JavaScript's
 *   `toFixed` breaks exact ties away from zero (0.0625 → '0.063' instead of '0.062').
 */

/**
 * `np.linspace(start, stop, num)` with `endpoint=True`: value i is `i * step + start` with
 * `step = (stop - start) / (num - 1)`, and the last value is `stop` exactly, as numpy computes it.
 *
 * @example
 * linspace(0.5, 0.95, 10); // pycocotools' IoU thresholds; value 8 is 0.8999999999999999
 */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num <= 0) return [];
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const values = Array.from({ length: num }, (_, i) => i * step + start);
  values[num - 1] = stop;
  return values;
}

/**
 * `np.mean` of the first `n` values of a float64 array: numpy's pairwise summation (blocks of at most 128 summed
 * with 8 interleaved partial sums, larger runs split in halves at multiples of 8), then divided by `n`.
 * Checked against numpy 2.4 (`np.add.reduce` on 1-D contiguous arrays of 5 to 100,000 values). NaN for n = 0.
 *
 * @example
 * numpyMean(Float64Array.of(1, 0.5, 0), 3); // 0.5
 */
export function numpyMean(values: Float64Array, n: number): number {
  return n === 0 ? Number.NaN : (0 + pairwiseSum(values, 0, n)) / n;
}

/**
 * `round(np.float64(x), decimals)` as numpy computes it: `rint(x * 10**decimals) / 10**decimals`, where `rint`
 * rounds half to even. This is how mmdet's CocoMetric rounds the stats it reports (`float(f'{round(val, 3)}')`).
 *
 * @example
 * numpyRound(0.1235, 3); // 0.124 (Python's round(0.1235, 3) would give 0.123)
 */
export function numpyRound(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  return rint(x * scale) / scale;
}

/**
 * Python's `f'{x:.{digits}f}'`: the exact binary value correctly rounded to `digits` decimals, exact ties to
 * even. NaN and infinities print as Python does (`nan`, `inf`, `-inf`).
 *
 * @example
 * formatFixed(0.0625, 3); // '0.062' (toFixed gives '0.063')
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const rounded = x.toFixed(digits);
  // An exact tie has exactly digits + 1 decimals, the last a 5. 30 more digits of the exact expansion separate a
  // tie from any double near it (the gap is above 1e-23 for |x| >= 1e-6; smaller values cannot be ties here).
  const exact = Math.abs(x).toFixed(digits + 30);
  if (!exact.endsWith('5' + '0'.repeat(29))) return rounded;
  const truncated = exact.slice(0, exact.length - 30).replace(/\.$/, '');
  const lastDigit = truncated.charCodeAt(truncated.length - 1) - 48;
  // toFixed rounded the tie away from zero; keep that only when it lands on an even digit.
  if (lastDigit % 2 === 1) return rounded;
  return (x < 0 ? '-' : '') + truncated;
}

/** Python's `str(float)` for values numpyRound produces: `1.0`, `0.5`, `0.123`, `nan`. */
export function pythonFloatString(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** C's rint in the default rounding mode: nearest integer, halves to even. */
function rint(y: number): number {
  const r = Math.round(y); // halves go up (towards +infinity)
  return r - y === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** numpy's `pairwise_sum_DOUBLE` (numpy/_core/src/umath/loops_utils.h.src), PW_BLOCKSIZE = 128. */
function pairwiseSum(a: Float64Array, lo: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i += 1) res += a[lo + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = a[lo]!, r1 = a[lo + 1]!, r2 = a[lo + 2]!, r3 = a[lo + 3]!;
    let r4 = a[lo + 4]!, r5 = a[lo + 5]!, r6 = a[lo + 6]!, r7 = a[lo + 7]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const p = lo + i;
      r0 += a[p]!; r1 += a[p + 1]!; r2 += a[p + 2]!; r3 += a[p + 3]!;
      r4 += a[p + 4]!; r5 += a[p + 5]!; r6 += a[p + 6]!; r7 += a[p + 7]!;
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i += 1) res += a[lo + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, lo, n2) + pairwiseSum(a, lo + n2, n - n2);
}
