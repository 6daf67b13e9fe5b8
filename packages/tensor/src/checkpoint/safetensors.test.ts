import { describe, expect, it } from 'vitest';
import { CheckpointError } from './checkpoint-error.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from './safetensors.js';

/** A safetensors file built by hand, independently of the encoder: length field, header text, data bytes. */
function handBuilt(header: string, data: number[]): Uint8Array {
  const json = new TextEncoder().encode(header);
  const length = [json.length & 0xff, (json.length >> 8) & 0xff, (json.length >> 16) & 0xff, 0, 0, 0, 0, 0];
  return Uint8Array.from([...length, ...json, ...data]);
}

/** The raw bytes behind a typed array, for bit-exact comparisons (NaN payloads included). */
function bytesOf(data: ArrayBufferView): number[] {
  return [...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
}

function decodeError(bytes: Uint8Array, file?: string): CheckpointError {
  try {
    decodeSafetensors(bytes, { file });
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    return error as CheckpointError;
  }
  throw new Error('expected decodeSafetensors to throw');
}

const sample = (): Map<string, SafetensorsTensor> =>
  new Map<string, SafetensorsTensor>([
    ['conv.weight', { dtype: 'F32', shape: [1, 1, 2, 2], data: new Float32Array([1.5, -0, NaN, -Infinity]) }],
    ['bn.num_batches_tracked', { dtype: 'I64', shape: [], data: new Int32Array([-7]) }],
    ['half', { dtype: 'F16', shape: [3], data: new Float32Array([1, -2, 2 ** -24]) }],
    ['brain', { dtype: 'BF16', shape: [2], data: new Float32Array([1, -3]) }],
    ['double', { dtype: 'F64', shape: [2], data: new Float32Array([0.1, 1e30]) }],
    ['ids', { dtype: 'I32', shape: [2], data: new Int32Array([-2147483648, 2147483647]) }],
    ['bytes', { dtype: 'U8', shape: [2], data: new Uint8Array([0, 255]) }],
    ['mask', { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) }],
    ['empty', { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) }],
  ]);

describe('decodeSafetensors on a hand-built file', () => {
  const file = handBuilt(
    '{"__metadata__":{"format":"pt"},' +
      '"h":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},' +
      '"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},' +
      '"f":{"dtype":"F32","shape":[1],"data_offsets":[12,16]},' +
      '"n":{"dtype":"I64","shape":[],"data_offsets":[16,24]},' +
      '"d":{"dtype":"F64","shape":[1],"data_offsets":[24,32]},' +
      '"i":{"dtype":"I32","shape":[1],"data_offsets":[32,36]},' +
      '"z":{"dtype":"BOOL","shape":[3],"data_offsets":[36,39]},' +
      '"u":{"dtype":"U8","shape":[1],"data_offsets":[39,40]}}',
    [
      ...[0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0x00, 0x7c], // F16 1.0, -2.0, 2^-24 (subnormal), +Infinity
      ...[0x80, 0x3f, 0x40, 0xc0], // BF16 1.0, -3.0
      ...[0x00, 0x00, 0x00, 0x3f], // F32 0.5
      ...[0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // I64 -5
      ...[0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x40], // F64 2.5
      ...[0x2a, 0x00, 0x00, 0x00], // I32 42
      ...[0x01, 0x00, 0x01], // BOOL
      0xc8, // U8 200
    ],
  );

  it('decodes every supported dtype to the known values', () => {
    const { tensors, metadata } = decodeSafetensors(file);
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.keys()]).toEqual(['b', 'd', 'f', 'h', 'i', 'n', 'u', 'z']);
    expect(tensors.get('h')).toEqual({ dtype: 'F16', shape: [2, 2], data: new Float32Array([1, -2, 2 ** -24, Infinity]) });
    expect(tensors.get('b')).toEqual({ dtype: 'BF16', shape: [2], data: new Float32Array([1, -3]) });
    expect(tensors.get('f')!.data).toEqual(new Float32Array([0.5]));
    expect(tensors.get('n')).toEqual({ dtype: 'I64', shape: [], data: new Int32Array([-5]) });
    expect(tensors.get('d')!.data).toEqual(new Float32Array([2.5]));
    expect(tensors.get('i')!.data).toEqual(new Int32Array([42]));
    expect(tensors.get('z')!.data).toEqual(new Uint8Array([1, 0, 1]));
    expect(tensors.get('u')!.data).toEqual(new Uint8Array([200]));
  });

  it('decodes a Node Buffer that is an unaligned view into a larger pool (what fs.readFile returns)', () => {
    const view = Buffer.concat([Buffer.alloc(3), file]).subarray(3);
    expect(decodeSafetensors(view).tensors.get('n')!.data).toEqual(new Int32Array([-5]));
    expect(decodeSafetensors(view).tensors.get('f')!.data).toEqual(new Float32Array([0.5]));
  });

  it('returns copies that do not alias the file buffer', () => {
    const { tensors } = decodeSafetensors(file);
    expect(tensors.get('f')!.data.buffer).not.toBe(file.buffer);
  });

  it('rejects an I64 value outside the int32 range, naming the tensor and the value', () => {
    const big = handBuilt('{"n":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', [0, 0, 0, 0x80, 0, 0, 0, 0]);
    expect(decodeError(big).message).toMatch(/tensor 'n' \(I64\) holds 2147483648 at flat index 0, outside the int32 range/);
  });
});

describe('encodeSafetensors', () => {
  it('round-trips every dtype bit-exactly, with the metadata', () => {
    const metadata = { 'detlab.layout': 'nhwc', note: 'ünïcödé' };
    const { tensors, metadata: read } = decodeSafetensors(encodeSafetensors(sample(), metadata));
    expect(read).toEqual(metadata);
    for (const [name, original] of sample()) {
      const decoded = tensors.get(name)!;
      expect(decoded.dtype, name).toBe(original.dtype);
      expect(decoded.shape, name).toEqual(original.shape);
      const expected = original.dtype === 'F64' ? new Float32Array(original.data) : original.data;
      expect(bytesOf(decoded.data), name).toEqual(bytesOf(expected));
    }
  });

  it('writes the same bytes twice, whatever order the tensors were added in', () => {
    const first = encodeSafetensors(sample(), { b: '2', a: '1' });
    const reversed = new Map([...sample()].reverse());
    expect(encodeSafetensors(reversed, { a: '1', b: '2' })).toEqual(first);
    expect(encodeSafetensors(decodeSafetensors(first).tensors, decodeSafetensors(first).metadata)).toEqual(first);
  });

  it('pads the header with spaces to a multiple of 8 and aligns every tensor to its element size', () => {
    const bytes = encodeSafetensors(sample());
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    expect(text).toMatch(/^\{.*\} *$/);
    const header = JSON.parse(text) as Record<string, { dtype: string; data_offsets: [number, number] }>;
    const size: Record<string, number> = { F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2, U8: 1, BOOL: 1 };
    for (const { dtype, data_offsets } of Object.values(header)) expect(data_offsets[0] % size[dtype]!).toBe(0);
  });

  it('rounds to nearest-even when narrowing to F16 and BF16', () => {
    const tensors = new Map<string, SafetensorsTensor>([
      ['h', { dtype: 'F16', shape: [4], data: new Float32Array([1 / 3, 65520, 1e-8, 1 + 2 ** -11]) }],
      ['b', { dtype: 'BF16', shape: [2], data: new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8]) }],
    ]);
    const decoded = decodeSafetensors(encodeSafetensors(tensors)).tensors;
    // 0x3555 = 0.333251953125; 65520 is the tie above the largest half and rounds to Infinity; 1 + 2^-11 ties to 1.
    expect([...decoded.get('h')!.data]).toEqual([0.333251953125, Infinity, 0, 1]);
    expect([...decoded.get('b')!.data]).toEqual([1, 1 + 2 ** -6]);
  });

  it('rejects data whose type or length does not fit the dtype and shape', () => {
    const wrongType = new Map([['w', { dtype: 'F32', shape: [1], data: new Int32Array(1) } as SafetensorsTensor]]);
    expect(() => encodeSafetensors(wrongType)).toThrow("cannot write tensor 'w' to safetensors: dtype F32 needs its data in a Float32Array, got Int32Array");
    const wrongLength = new Map([['w', { dtype: 'I32', shape: [2, 2], data: new Int32Array(3) } as SafetensorsTensor]]);
    expect(() => encodeSafetensors(wrongLength)).toThrow('shape [2, 2] has 4 elements but the data has 3');
  });
});

describe('decodeSafetensors on corrupt files', () => {
  const entry = (dtype: string, shape: number[], offsets: number[]) =>
    JSON.stringify({ dtype, shape, data_offsets: offsets });

  it('names the file and says it is too short', () => {
    const error = decodeError(new Uint8Array(5), 'bad.safetensors');
    expect(error.message).toMatch(/^bad\.safetensors: not a valid safetensors file: it is 5 bytes long, too short/);
    expect(error.file).toBe('bad.safetensors');
  });

  it('reports a header length beyond the end of the file, with a hint about .pth files', () => {
    const bytes = new Uint8Array(16);
    bytes[0] = 0xe8; // 1000
    bytes[1] = 0x03;
    expect(decodeError(bytes).message).toMatch(/header length field says 1000 bytes, but 8 bytes follow it[\s\S]*convert-pth\.py/);
  });

  it('reports a header that is not JSON', () => {
    expect(decodeError(handBuilt('{"a": nope}', [])).message).toMatch(/the header is not valid JSON/);
  });

  it('reports an unknown dtype and lists the supported ones', () => {
    const message = decodeError(handBuilt(`{"x":${entry('I8', [1], [0, 1])}}`, [0])).message;
    expect(message).toMatch(/tensor 'x' has dtype "I8", which detlab cannot read/);
    expect(message).toMatch(/Supported dtypes: F64, I64, F32, I32, F16, BF16, U8, BOOL/);
  });

  it('reports a shape that does not match the byte size', () => {
    const message = decodeError(handBuilt(`{"x":${entry('F32', [2, 2], [0, 8])}}`, Array(8).fill(0))).message;
    expect(message).toMatch(/tensor 'x' has shape \[2, 2\] and dtype F32, which need 16 bytes, but its data_offsets \[0, 8\] span 8/);
  });

  it('reports offsets outside the data buffer', () => {
    const message = decodeError(handBuilt(`{"x":${entry('U8', [4], [0, 4])}}`, [1, 2])).message;
    expect(message).toMatch(/tensor 'x' has data_offsets \[0, 4\], out of range for a 2-byte data buffer/);
  });

  it('reports overlapping tensors by name', () => {
    const header = `{"a":${entry('U8', [4], [0, 4])},"b":${entry('U8', [2], [2, 4])}}`;
    expect(decodeError(handBuilt(header, [1, 2, 3, 4])).message).toMatch(/tensors 'a' and 'b' overlap \(bytes 2 to 4\)/);
  });

  it('reports bytes that belong to no tensor, in a gap or at the end', () => {
    const gap = `{"a":${entry('U8', [1], [0, 1])},"b":${entry('U8', [1], [2, 3])}}`;
    expect(decodeError(handBuilt(gap, [1, 2, 3])).message).toMatch(/bytes 1 to 2 of the data buffer belong to no tensor \(before 'b'\)/);
    const tail = `{"a":${entry('U8', [1], [0, 1])}}`;
    expect(decodeError(handBuilt(tail, [1, 2])).message).toMatch(/bytes 1 to 2 of the data buffer belong to no tensor$/);
  });

  it('reports malformed shapes, offsets and metadata', () => {
    expect(decodeError(handBuilt(`{"x":${entry('U8', [-1], [0, 0])}}`, [])).message).toMatch(/tensor 'x' has shape \[-1\]/);
    expect(decodeError(handBuilt(`{"x":${entry('U8', [1], [0])}}`, [0])).message).toMatch(/tensor 'x' has data_offsets \[0\]/);
    expect(decodeError(handBuilt('{"__metadata__":{"epoch":3}}', [])).message).toMatch(/'__metadata__.epoch' must be a string, got 3/);
    expect(decodeError(handBuilt('[1]', [])).message).toMatch(/must be a JSON object starting with '\{'/);
  });
});
