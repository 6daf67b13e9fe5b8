/**
 * Stable sort of detection indices by descending score: pycocotools' `np.argsort(-scores, kind='mergesort')`.
 *
 * A comparator sort of 500,000 indices calls back into JavaScript ~10 million times. Scores a detector
 * produces are float32, so each fits in 32 order-preserving bits; with the position in the input order in the
 * low 21 bits, one float64 key per detection sorts natively (`Float64Array.prototype.sort`, no callback), ties
 * keeping input order exactly as a stable sort does. Other inputs (float64 scores, 2M+ detections) take the
 * comparator path; both give the same order.
 */

/** Positions up to 2^21 fit below the 32 score bits within float64's 53-bit integer range. */
const POSITION_BITS = 2 ** 21;

/**
 * `order` (detection indices) re-ordered by descending `scores[index]`, ties in `order`'s order, NaN last (as
 * numpy sorts NaN). `-0` and `0` tie, as they compare equal in numpy.
 *
 * @example
 * sortByScoreDesc(Int32Array.of(0, 1, 2), Float64Array.of(0.5, 0.9, 0.5)); // Int32Array [1, 0, 2]
 */
export function sortByScoreDesc(order: Int32Array, scores: ArrayLike<number>): Int32Array {
  return order.length < POSITION_BITS && allFloat32(order, scores) ? packedSort(order, scores) : comparatorSort(order, scores);
}

function allFloat32(order: Int32Array, scores: ArrayLike<number>): boolean {
  for (const i of order) {
    const s = scores[i]!;
    if (Math.fround(s) !== s && s === s) return false;
  }
  return true;
}

function packedSort(order: Int32Array, scores: ArrayLike<number>): Int32Array {
  const n = order.length;
  const f32 = new Float32Array(1);
  const bits = new Uint32Array(f32.buffer);
  const keys = new Float64Array(n);
  for (let p = 0; p < n; p += 1) {
    const s = scores[order[p]!]!;
    let key = 0xffffffff; // NaN: after every number
    if (s === s) {
      f32[0] = s + 0; // -0 + 0 = +0: the two zeros get one key
      const b = bits[0]!;
      const ascending = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0; // IEEE bits → unsigned order
      key = 0xffffffff - ascending;
    }
    keys[p] = key * POSITION_BITS + p;
  }
  keys.sort();
  const out = new Int32Array(n);
  for (let p = 0; p < n; p += 1) out[p] = order[keys[p]! % POSITION_BITS]!;
  return out;
}

function comparatorSort(order: Int32Array, scores: ArrayLike<number>): Int32Array {
  const positions = Int32Array.from({ length: order.length }, (_, p) => p);
  const score = (p: number) => scores[order[p]!]!;
  positions.sort((a, b) => {
    const sa = score(a), sb = score(b);
    if (sa > sb) return -1;
    if (sa < sb) return 1;
    if (sa === sb || (sa !== sa && sb !== sb)) return a - b;
    return sa !== sa ? 1 : -1; // exactly one NaN: it goes last
  });
  return Int32Array.from(positions, (p) => order[p]!);
}
