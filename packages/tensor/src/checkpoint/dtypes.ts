/**
 * Element codecs for the safetensors dtypes detlab reads and writes.
 *
 * Files are little-endian. Decoding widens what TensorFlow.js cannot hold: F16, BF16 and F64 become float32, I64
 * becomes int32 (with a range check, since PyTorch stores `num_batches_tracked` and index buffers as int64).
 * Encoding goes the other way, rounding to nearest-even where the file type is narrower than float32.
 */

/** A safetensors dtype detlab supports, spelled as in the file header. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'U8' | 'BOOL';

/** The typed arrays tensors are held in outside TensorFlow.js (the types `tensor.dataSync()` returns). */
export type TensorData = Float32Array | Int32Array | Uint8Array;

/** Bytes per element of each supported dtype. */
const ELEMENT_SIZE: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8,
  I64: 8,
  F32: 4,
  I32: 4,
  F16: 2,
  BF16: 2,
  U8: 1,
  BOOL: 1,
};

/** Every supported dtype, widest first. */
export const SAFETENSORS_DTYPES = Object.keys(ELEMENT_SIZE) as readonly SafetensorsDtype[];

/** Whether `value` names a dtype detlab can read and write. */
export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(ELEMENT_SIZE, value);
}

/** Bytes one element of `dtype` takes in a file. */
export function dtypeSize(dtype: SafetensorsDtype): number {
  return ELEMENT_SIZE[dtype];
}

/** The typed array a dtype decodes to, and the one `encodeElements` expects for it. */
export function arrayTypeOf(dtype: SafetensorsDtype): 'Float32Array' | 'Int32Array' | 'Uint8Array' {
  if (dtype === 'I32' || dtype === 'I64') return 'Int32Array';
  if (dtype === 'U8' || dtype === 'BOOL') return 'Uint8Array';
  return 'Float32Array';
}

/**
 * Decodes the bytes of one tensor into a fresh typed array (never a view into `bytes`, so the file buffer can be
 * freed). `fail` reports an I64 value outside the int32 range.
 */
export function decodeElements(
  dtype: SafetensorsDtype,
  bytes: Uint8Array,
  fail: (problem: string) => never,
): TensorData {
  // Copies into a new, aligned buffer, which typed-array views need. (Not bytes.slice(): on a Node Buffer, the
  // type fs.readFile returns, slice() is a view into a shared pool.)
  const copy = swapToHostOrder(new Uint8Array(bytes), ELEMENT_SIZE[dtype]);
  switch (dtype) {
    case 'F32':
      return new Float32Array(copy.buffer);
    case 'F64':
      return new Float32Array(new Float64Array(copy.buffer)); // rounds each value to float32
    case 'F16': {
      const halves = new Uint16Array(copy.buffer);
      const table = halfToFloatTable();
      const out = new Float32Array(halves.length);
      for (let i = 0; i < halves.length; i++) out[i] = table[halves[i]!]!;
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32, so widening is a shift and exact (NaN payloads included).
      const halves = new Uint16Array(copy.buffer);
      const bits = new Uint32Array(halves.length);
      for (let i = 0; i < halves.length; i++) bits[i] = halves[i]! << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I64': {
      const words = new Int32Array(copy.buffer); // [low, high] pairs
      const out = new Int32Array(words.length / 2);
      for (let i = 0; i < out.length; i++) {
        const low = words[2 * i]!;
        // The value fits int32 exactly when the high word is the sign extension of the low one.
        if (words[2 * i + 1] !== low >> 31) {
          const value = (BigInt(words[2 * i + 1]!) << 32n) | BigInt(low >>> 0);
          fail(`holds ${value} at flat index ${i}, outside the int32 range TensorFlow.js tensors can hold`);
        }
        out[i] = low;
      }
      return out;
    }
    case 'I32':
      return new Int32Array(copy.buffer);
    case 'U8':
      return copy;
    case 'BOOL':
      return copy.map((v) => (v ? 1 : 0));
  }
}

/** Writes `data` as `dtype` elements into `out`, which must be exactly `data.length * dtypeSize(dtype)` bytes. */
export function encodeElements(dtype: SafetensorsDtype, data: TensorData, out: Uint8Array): void {
  let host: ArrayBufferView;
  switch (dtype) {
    case 'F32':
    case 'I32':
    case 'U8':
      host = data;
      break;
    case 'F64':
      host = new Float64Array(data);
      break;
    case 'F16':
      host = Uint16Array.from(data, floatToHalf);
      break;
    case 'BF16': {
      const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
      host = Uint16Array.from(bits, floatBitsToBfloat16);
      break;
    }
    case 'I64': {
      const words = new Int32Array(2 * data.length);
      for (let i = 0; i < data.length; i++) {
        words[2 * i] = data[i]!;
        words[2 * i + 1] = data[i]! >> 31; // sign extension
      }
      host = words;
      break;
    }
    case 'BOOL':
      host = (data as Uint8Array).map((v) => (v ? 1 : 0));
      break;
  }
  out.set(new Uint8Array(host.buffer, host.byteOffset, host.byteLength));
  swapToHostOrder(out, ELEMENT_SIZE[dtype]); // host order -> little-endian; the swap is its own inverse
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses each `size`-byte element in place on big-endian hosts; a no-op on little-endian ones. */
function swapToHostOrder(bytes: Uint8Array, size: number): Uint8Array {
  if (HOST_IS_LITTLE_ENDIAN || size === 1) return bytes;
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  return bytes;
}

let halfTable: Float32Array | undefined;

/** All 65536 half-precision values as float32, built on first use (256 KiB) so decoding is one lookup each. */
function halfToFloatTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
  }
  return halfTable;
}

/** IEEE 754 binary16 bits to a number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero or subnormal
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** A number to binary16 bits, rounding to nearest-even; too large becomes Infinity, as an IEEE cast does. */
function floatToHalf(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Infinity, or a quiet NaN
  const rebased = exponent - 112; // float32 bias 127 -> float16 bias 15
  if (rebased >= 0x1f) return sign | 0x7c00;
  // Normal halves keep the top 10 mantissa bits; subnormal ones shift the implicit 1 in as well.
  const significand = rebased >= 1 ? mantissa : mantissa | 0x800000;
  const shift = rebased >= 1 ? 13 : 14 - rebased;
  if (shift > 24) return sign; // below half the smallest subnormal: rounds to zero
  let half = (rebased >= 1 ? rebased << 10 : 0) | (significand >>> shift);
  const rest = significand & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  // A carry out of the mantissa bumps the exponent, which is exactly the right rounding (up to Infinity).
  if (rest > halfway || (rest === halfway && half & 1)) half++;
  return sign | half;
}

/** float32 bits to bfloat16 bits, rounding to nearest-even (the rounding PyTorch's `.bfloat16()` uses). */
function floatBitsToBfloat16(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return (bits >>> 16) | 0x40; // NaN: keep it a quiet NaN
  return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
}
