import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint-io.js';
import type { ParameterKind } from './layout.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from './safetensors.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'detlab-checkpoint-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A small model state: a conv weight (HWIO), BN statistics, an int32 counter and a bool mask. */
function modelState(): Map<string, tf.Tensor> {
  return new Map<string, tf.Tensor>([
    ['backbone.conv1.weight', tf.tensor4d(Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1), [1, 2, 3, 4])],
    ['backbone.bn1.running_var', tf.tensor1d([1, 0.5, NaN, 3e-39])],
    ['backbone.bn1.num_batches_tracked', tf.scalar(12, 'int32')],
    ['head.mask', tf.tensor1d([true, false], 'bool')],
  ]);
}

function dispose(state: Map<string, tf.Tensor>): void {
  for (const tensor of state.values()) tensor.dispose();
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it('round-trips tensors bit-exactly, with their dtypes and the metadata', async () => {
    const state = modelState();
    const path = join(dir, 'round-trip.safetensors');
    const metadata = { epoch: 3, iter: 3000, cfg: { model: { type: 'ATSS' } }, note: null };
    await saveCheckpoint(path, state, metadata);
    const loaded = await loadCheckpoint(path);
    expect(loaded.metadata).toEqual(metadata);
    expect(loaded.layout).toBe('nhwc');
    expect([...loaded.state.keys()].sort()).toEqual([...state.keys()].sort());
    for (const [name, tensor] of state) {
      const read = loaded.state.get(name)!;
      expect(read.dtype, name).toBe(tensor.dtype);
      expect(read.shape, name).toEqual(tensor.shape);
      const [a, b] = [tensor.dataSync(), read.dataSync()];
      expect(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), name).toEqual(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    dispose(state);
    dispose(loaded.state);
  });

  it('writes byte-identical files for the same state, and leaves no temporary files', async () => {
    const state = modelState();
    const [first, second] = [join(dir, 'first.safetensors'), join(dir, 'second.safetensors')];
    await saveCheckpoint(first, state, { b: 1, a: { d: 2, c: 3 } });
    await saveCheckpoint(second, new Map([...state].reverse()), { a: { c: 3, d: 2 }, b: 1 });
    expect(await readFile(second)).toEqual(await readFile(first));
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    dispose(state);
  });

  it('records the detlab layout and the JSON metadata in __metadata__', async () => {
    const state = modelState();
    const path = join(dir, 'metadata.safetensors');
    await saveCheckpoint(path, state, { epoch: 1 });
    const { metadata } = decodeSafetensors(await readFile(path));
    expect(metadata).toEqual({ 'detlab.layout': 'nhwc', 'detlab.meta': '{"epoch":1}' });
    dispose(state);
  });

  it('converts a PyTorch-layout file (no detlab.layout key) to detlab layout using the kinds', async () => {
    const torch = new Map<string, SafetensorsTensor>([
      // OIHW [2, 3, 1, 2], values 100*o + 10*i + w
      ['conv.weight', { dtype: 'F32', shape: [2, 3, 1, 2], data: new Float32Array([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]) }],
      ['fc.weight', { dtype: 'F16', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }],
      ['bn.num_batches_tracked', { dtype: 'I64', shape: [], data: new Int32Array([7]) }],
      ['table', { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }],
    ]);
    const path = join(dir, 'torch.safetensors');
    await writeFile(path, encodeSafetensors(torch, { format: 'pt' }));
    const kinds = new Map<string, ParameterKind>([['conv.weight', 'conv'], ['fc.weight', 'linear'], ['table', 'other']]);
    const { state, metadata, layout, fileMetadata } = await loadCheckpoint(path, { kinds: (name) => kinds.get(name) });
    expect({ metadata, layout, fileMetadata }).toEqual({ metadata: {}, layout: 'torch', fileMetadata: { format: 'pt' } });
    expect(state.get('conv.weight')!.shape).toEqual([1, 2, 3, 2]);
    expect([...state.get('conv.weight')!.dataSync()]).toEqual([0, 100, 10, 110, 20, 120, 1, 101, 11, 111, 21, 121]);
    expect(state.get('fc.weight')!.arraySync()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(state.get('bn.num_batches_tracked')!.dtype).toBe('int32');
    expect(state.get('table')!.arraySync()).toEqual([[1, 2], [3, 4]]);
    dispose(state);
  });

  it('creates only the tensors the filter keeps, and none are left behind', async () => {
    const state = modelState();
    const path = join(dir, 'filter.safetensors');
    await saveCheckpoint(path, state, {});
    dispose(state);
    const before = tf.memory().numTensors;
    const loaded = await loadCheckpoint(path, { filter: (name) => name.startsWith('backbone.') });
    expect([...loaded.state.keys()].sort()).toEqual(['backbone.bn1.num_batches_tracked', 'backbone.bn1.running_var', 'backbone.conv1.weight']);
    expect(tf.memory().numTensors).toBe(before + 3);
    dispose(loaded.state);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says which file is missing and how to make one', async () => {
    const path = join(dir, 'nope.safetensors');
    await expect(loadCheckpoint(path)).rejects.toThrow(new RegExp(`${path}: checkpoint file not found[\\s\\S]*convert-pth\\.py`));
  });

  it('names the file when its contents are corrupt', async () => {
    const path = join(dir, 'corrupt.safetensors');
    await writeFile(path, new Uint8Array(3));
    await expect(loadCheckpoint(path)).rejects.toThrow(`${path}: not a valid safetensors file: it is 3 bytes long`);
  });

  it('rejects metadata that is not JSON-serialisable and a detlab.meta that is not JSON', async () => {
    const path = join(dir, 'bad-meta.safetensors');
    await expect(saveCheckpoint(path, new Map(), { big: 1n })).rejects.toThrow(/checkpoint metadata cannot be saved as JSON/);
    await writeFile(path, encodeSafetensors(new Map(), { 'detlab.meta': '{epoch: 1}' }));
    await expect(loadCheckpoint(path)).rejects.toThrow(`${path}: metadata 'detlab.meta' is not valid JSON`);
  });
});
