import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from './checkpoint-error.js';
import { saveCheckpoint } from './checkpoint-io.js';
import type { ParameterKind } from './layout.js';
import { loadCheckpointInto, loadStateDictInto, type StateDictTarget } from './load-state-dict.js';
import { encodeSafetensors, type SafetensorsTensor } from './safetensors.js';

/** Stand-in for a tensor: loadStateDictInto only looks at shapes. */
const value = (...shape: number[]) => ({ shape });

/** A target that records what it was given. */
function recordingTarget(shapes: Record<string, number[]>, kinds: Record<string, ParameterKind> = {}) {
  const assigned: string[] = [];
  const target: StateDictTarget<{ shape: number[] }> = {
    shapes: new Map(Object.entries(shapes)),
    kinds: (name) => kinds[name],
    assign: (name) => assigned.push(name),
  };
  return { target, assigned };
}

describe('loadStateDictInto', () => {
  const shapes = { 'conv.weight': [3, 3, 4, 8], 'conv.bias': [8], 'bn.running_mean': [8] };

  it('assigns every value when keys and shapes match', () => {
    const { target, assigned } = recordingTarget(shapes);
    const state = new Map([['conv.weight', value(3, 3, 4, 8)], ['conv.bias', value(8)], ['bn.running_mean', value(8)]]);
    const report = loadStateDictInto(target, state);
    expect(report).toEqual({ loaded: Object.keys(shapes), missingKeys: [], unexpectedKeys: [], shapeMismatches: [] });
    expect(assigned).toEqual(Object.keys(shapes));
  });

  it('in strict mode throws one error listing every problem, with both shapes, and assigns nothing', () => {
    const { target, assigned } = recordingTarget(shapes, { 'conv.weight': 'conv' });
    const state = new Map([['conv.weight', value(8, 4, 3, 3)], ['conv.bias', value(8)], ['fc.weight', value(2, 2)]]);
    let error: unknown;
    try {
      loadStateDictInto(target, state, { file: 'ckpt.safetensors' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CheckpointError);
    const message = (error as Error).message;
    expect(message).toMatch(/^ckpt\.safetensors: checkpoint does not match the model: 1 missing key, 1 unexpected key, 1 shape mismatch\n/);
    expect(message).toContain('  missing in checkpoint: bn.running_mean\n');
    expect(message).toContain('  unexpected in checkpoint: fc.weight\n');
    expect(message).toContain('  shape mismatch: conv.weight: model expects [3, 3, 4, 8], checkpoint has [8, 4, 3, 3] (the PyTorch layout');
    expect(message).toContain('Pass strict: false');
    expect(assigned).toEqual([]);
  });

  it('in non-strict mode assigns what matches and reports the rest', () => {
    const { target, assigned } = recordingTarget(shapes);
    const state = new Map([['conv.weight', value(3, 3, 4, 16)], ['conv.bias', value(8)], ['extra', value(1)]]);
    const report = loadStateDictInto(target, state, { strict: false });
    expect(report).toEqual({
      loaded: ['conv.bias'],
      missingKeys: ['bn.running_mean'],
      unexpectedKeys: ['extra'],
      shapeMismatches: [{ name: 'conv.weight', expected: [3, 3, 4, 8], found: [3, 3, 4, 16] }],
    });
    expect(assigned).toEqual(['conv.bias']);
  });

  it('loads only the keys under a prefix, with or without its trailing dot, ignoring the others', () => {
    const state = new Map([
      ['backbone.conv.weight', value(3, 3, 4, 8)],
      ['backbone.conv.bias', value(8)],
      ['backbone.bn.running_mean', value(8)],
      ['neck.lateral.weight', value(1, 1, 8, 8)],
    ]);
    for (const prefix of ['backbone.', 'backbone']) {
      const { target, assigned } = recordingTarget(shapes);
      expect(loadStateDictInto(target, state, { prefix }).unexpectedKeys).toEqual([]);
      expect(assigned).toEqual(Object.keys(shapes));
    }
  });

  it('names the prefixes a checkpoint has when none of its keys start with the given one', () => {
    const { target } = recordingTarget(shapes);
    const state = new Map([['model.conv.weight', value(1)], ['ema.conv.weight', value(1)]]);
    expect(() => loadStateDictInto(target, state, { prefix: 'backbone', strict: false })).toThrow(
      "no checkpoint key starts with the prefix 'backbone.'\n  The checkpoint's top-level prefixes are: ema., model..",
    );
  });
});

describe('loadCheckpointInto', () => {
  let dir: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'detlab-load-into-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a backbone out of a PyTorch-layout detector checkpoint, converting with the target kinds', async () => {
    const torch = new Map<string, SafetensorsTensor>([
      ['backbone.conv1.weight', { dtype: 'F32', shape: [2, 1, 1, 2], data: new Float32Array([1, 2, 3, 4]) }],
      ['backbone.bn1.num_batches_tracked', { dtype: 'I64', shape: [], data: new Int32Array([5]) }],
      ['bbox_head.cls.weight', { dtype: 'F32', shape: [80, 256, 3, 3], data: new Float32Array(80 * 256 * 9) }],
    ]);
    const path = join(dir, 'detector.safetensors');
    await writeFile(path, encodeSafetensors(torch));
    const copies = new Map<string, number[]>();
    const before = tf.memory().numTensors;
    const { report, metadata } = await loadCheckpointInto(
      path,
      {
        shapes: new Map([['conv1.weight', [1, 2, 1, 2]], ['bn1.num_batches_tracked', []]]),
        kinds: (name) => (name === 'conv1.weight' ? 'conv' : 'other'),
        assign: (name, tensor) => copies.set(name, [...tensor.dataSync()]),
      },
      { prefix: 'backbone.' },
    );
    expect(report.loaded).toEqual(['conv1.weight', 'bn1.num_batches_tracked']);
    expect(metadata).toEqual({});
    // OIHW [[[[1, 2]]], [[[3, 4]]]] -> HWIO [1, 2, 1, 2]: for w, for o
    expect(copies.get('conv1.weight')).toEqual([1, 3, 2, 4]);
    expect(copies.get('bn1.num_batches_tracked')).toEqual([5]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('disposes what it read when strict loading fails, and names the file', async () => {
    const state = new Map([['a', tf.zeros([2])]]);
    const path = join(dir, 'strict.safetensors');
    await saveCheckpoint(path, state, {});
    state.get('a')!.dispose();
    const before = tf.memory().numTensors;
    await expect(loadCheckpointInto(path, { shapes: new Map([['a', [3]]]) })).rejects.toThrow(
      `${path}: checkpoint does not match the model: 1 shape mismatch\n  shape mismatch: a: model expects [3], checkpoint has [2]`,
    );
    await expect(loadCheckpointInto(path, { shapes: new Map([['a', [2]]]) }, { prefix: 'backbone' })).rejects.toThrow(
      `${path}: no checkpoint key starts with the prefix 'backbone.'\n  The checkpoint's top-level prefixes are: a.`,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
