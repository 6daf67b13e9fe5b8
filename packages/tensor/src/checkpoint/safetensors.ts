/**
 * Reader and writer of the safetensors format (https://github.com/huggingface/safetensors), the one checkpoint
 * format detlab uses: loading one never runs code.
 *
 * A file is an 8-byte little-endian header length N, N bytes of JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {key: value}}` padded with spaces to a
 * multiple of 8, then the byte buffer; offsets are relative to the buffer, and the tensors must cover it with no
 * gap or overlap. No npm package reads and writes this format, so detlab has its own (it is small).
 */
import { isPlainObject } from '@detlab/core';
import { CheckpointError } from './checkpoint-error.js';
import {
  SAFETENSORS_DTYPES,
  arrayTypeOf,
  decodeElements,
  dtypeSize,
  encodeElements,
  isSafetensorsDtype,
  type SafetensorsDtype,
  type TensorData,
} from './dtypes.js';

/** One tensor as stored: its file dtype, its shape and its elements (decoded to the array `arrayTypeOf` names). */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: TensorData;
}

/** What a safetensors file holds. */
export interface SafetensorsContents {
  /** Tensors by name, in name order. */
  tensors: Map<string, SafetensorsTensor>;
  /** The `__metadata__` string map; empty when the file has none. */
  metadata: Record<string, string>;
}

/** Options of `decodeSafetensors`. */
export interface DecodeSafetensorsOptions {
  /** The file the bytes came from; every error names it. */
  file?: string;
}

/** The reserved header key that holds the string metadata. */
const METADATA_KEY = '__metadata__';

/** The reference reader's bound on the header, so a corrupt length cannot make us decode gigabytes of "JSON". */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * Encodes tensors and string metadata as a safetensors file.
 *
 * The output depends only on the contents, not on insertion order: header keys are sorted, and the same state
 * written twice gives the same bytes.
 *
 * @example
 * const bias: SafetensorsTensor = { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) };
 * const bytes = encodeSafetensors(new Map([['fc.bias', bias]]), { 'detlab.layout': 'nhwc' });
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const names = [...tensors.keys()].sort(compareNames);
  for (const name of names) checkTensor(name, tensors.get(name)!);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new CheckpointError(`safetensors metadata '${key}' must be a string, got ${typeof value}`);
    }
  }
  // Buffer order: widest elements first, then by name. After the 8-byte-aligned header this puts every tensor at
  // a multiple of its element size, as the reference writer does, so readers may map tensors in place.
  const bufferOrder = [...names].sort(
    (a, b) => dtypeSize(tensors.get(b)!.dtype) - dtypeSize(tensors.get(a)!.dtype) || compareNames(a, b),
  );
  const offsets = new Map<string, [number, number]>();
  let bufferLength = 0;
  for (const name of bufferOrder) {
    const { dtype, data } = tensors.get(name)!;
    offsets.set(name, [bufferLength, bufferLength + data.length * dtypeSize(dtype)]);
    bufferLength += data.length * dtypeSize(dtype);
  }

  // Built by hand rather than with one JSON.stringify: objects put integer-like keys ("0", "1") first.
  const entries: string[] = [];
  const metadataKeys = Object.keys(metadata).sort(compareNames);
  if (metadataKeys.length > 0) {
    const fields = metadataKeys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(metadata[key])}`);
    entries.push(`${JSON.stringify(METADATA_KEY)}:{${fields.join(',')}}`);
  }
  for (const name of names) {
    const { dtype, shape } = tensors.get(name)!;
    entries.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype, shape, data_offsets: offsets.get(name) })}`);
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + bufferLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // spaces: the padding the format prescribes
  const start = 8 + headerLength;
  for (const [name, [begin, end]] of offsets) {
    const { dtype, data } = tensors.get(name)!;
    encodeElements(dtype, data, out.subarray(start + begin, start + end));
  }
  return out;
}

/**
 * Decodes a safetensors file, checking the header first: its length, its JSON, every dtype, shape and offset, and
 * that the tensors tile the byte buffer exactly. Throws a `CheckpointError` naming the file and the problem.
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(await readFile(path), { file: path });
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeSafetensorsOptions = {}): SafetensorsContents {
  const { file } = options;
  const fail = (problem: string, hint?: string): never => {
    throw new CheckpointError(`not a valid safetensors file: ${problem}`, { file, hint });
  };
  if (bytes.length < 8) {
    fail(`it is ${bytes.length} bytes long, too short for the 8-byte header length every safetensors file starts with`);
  }
  const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8) || declared > BigInt(MAX_HEADER_BYTES)) {
    fail(
      declared > BigInt(bytes.length - 8)
        ? `the header length field says ${declared} bytes, but ${bytes.length - 8} bytes follow it`
        : `the header length field says ${declared} bytes, more than the ${MAX_HEADER_BYTES} a header may have`,
      'The file may be truncated, or be another format (a PyTorch .pth must go through tools/convert-pth.py first).',
    );
  }
  const headerLength = Number(declared);
  const header = parseHeader(bytes.subarray(8, 8 + headerLength), fail);
  const start = 8 + headerLength;
  const bufferLength = bytes.length - start;

  let metadata: Record<string, string> = {};
  const layout: Array<{ name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }> = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = parseMetadata(entry, fail);
    else layout.push({ name, ...parseEntry(name, entry, bufferLength, fail) });
  }
  checkCoverage(layout, bufferLength, fail);

  const tensors = new Map<string, SafetensorsTensor>();
  for (const { name, dtype, shape, begin, end } of layout.sort((a, b) => compareNames(a.name, b.name))) {
    const data = decodeElements(dtype, bytes.subarray(start + begin, start + end), (problem) =>
      fail(`tensor '${name}' (${dtype}) ${problem}`),
    );
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}

type Fail = (problem: string, hint?: string) => never;

/** Checks a tensor handed to the encoder: its dtype, shape, and that its array type and length fit them. */
function checkTensor(name: string, tensor: SafetensorsTensor): void {
  const problem = (what: string): never => {
    throw new CheckpointError(`cannot write tensor '${name}' to safetensors: ${what}`);
  };
  if (name === '' || name === METADATA_KEY) problem(`the name '${name}' is reserved or empty`);
  if (!isSafetensorsDtype(tensor.dtype)) {
    problem(`dtype '${String(tensor.dtype)}' is not one of ${SAFETENSORS_DTYPES.join(', ')}`);
  }
  if (!Array.isArray(tensor.shape) || !tensor.shape.every(isDimension)) {
    problem(`shape ${JSON.stringify(tensor.shape)} is not a list of non-negative integers`);
  }
  const expected = arrayTypeOf(tensor.dtype);
  if (!(tensor.data instanceof ARRAY_TYPES[expected])) {
    problem(`dtype ${tensor.dtype} needs its data in a ${expected}, got ${describeArray(tensor.data)}`);
  }
  const count = elementCount(tensor.shape);
  if (tensor.data.length !== count) {
    problem(`shape [${tensor.shape.join(', ')}] has ${count} elements but the data has ${tensor.data.length}`);
  }
}

/** Decodes and parses the header bytes into its top-level object. */
function parseHeader(bytes: Uint8Array, fail: Fail): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('the header is not UTF-8 text');
  }
  if (!text.startsWith('{')) {
    fail(`the header must be a JSON object starting with '{', got ${JSON.stringify(text.slice(0, 20))}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(`the header is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(parsed)) fail('the header must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Checks the `__metadata__` entry: a flat map of strings. */
function parseMetadata(entry: unknown, fail: Fail): Record<string, string> {
  if (!isPlainObject(entry)) fail(`'${METADATA_KEY}' must be an object of strings`);
  const metadata = entry as Record<string, unknown>;
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') fail(`'${METADATA_KEY}.${key}' must be a string, got ${JSON.stringify(value)}`);
  }
  return metadata as Record<string, string>;
}

/** Checks one tensor entry of the header against the buffer it points into. */
function parseEntry(name: string, entry: unknown, bufferLength: number, fail: Fail) {
  const where = `tensor '${name}'`;
  if (!isPlainObject(entry)) return fail(`${where} must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (!isSafetensorsDtype(dtype)) {
    return fail(
      `${where} has dtype ${JSON.stringify(dtype)}, which detlab cannot read`,
      `Supported dtypes: ${SAFETENSORS_DTYPES.join(', ')}. Convert the tensor (e.g. with .float()) before saving.`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isDimension)) {
    return fail(`${where} has shape ${JSON.stringify(shape)}; expected a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isDimension)) {
    return fail(`${where} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] byte offsets`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > bufferLength) {
    fail(`${where} has data_offsets [${begin}, ${end}], out of range for a ${bufferLength}-byte data buffer`);
  }
  const needed = elementCount(shape) * dtypeSize(dtype);
  if (end - begin !== needed) {
    fail(
      `${where} has shape [${shape.join(', ')}] and dtype ${dtype}, which need ${needed} bytes, ` +
        `but its data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { dtype, shape: shape as number[], begin, end };
}

/** Checks that the tensors tile the buffer: no overlap, no gap, nothing left over (the format forbids all three). */
function checkCoverage(
  layout: ReadonlyArray<{ name: string; begin: number; end: number }>,
  length: number,
  fail: Fail,
): void {
  const sorted = [...layout].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = '';
  for (const { name, begin, end } of sorted) {
    if (begin < cursor) fail(`tensors '${previous}' and '${name}' overlap (bytes ${begin} to ${cursor})`);
    if (begin > cursor) fail(`bytes ${cursor} to ${begin} of the data buffer belong to no tensor (before '${name}')`);
    cursor = end;
    previous = name;
  }
  if (cursor !== length) fail(`bytes ${cursor} to ${length} of the data buffer belong to no tensor`);
}

const ARRAY_TYPES = { Float32Array, Int32Array, Uint8Array } as const;

function describeArray(value: unknown): string {
  return (value as object | null)?.constructor?.name ?? String(value);
}

function isDimension(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** Code-unit order: unlike localeCompare it is the same on every machine, so files are byte-identical. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
