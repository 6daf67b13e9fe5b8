import { NodeFileAccess, type FileAccess } from '@detlab/core';
import { saveCheckpoint } from '@detlab/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, useCpu, values } from '../runner/__fixtures__/toy-run.js';
import { disposeRunCheckpoint, readRunCheckpoint, writeRunCheckpoint } from './checkpoint-file.js';
import { readLastCheckpoint, writeLastCheckpoint } from './last-checkpoint.js';
import type { RunCheckpoint } from './run-checkpoint.js';

beforeAll(useCpu);

function checkpointAt(epoch: number, weight: number): RunCheckpoint {
  return {
    meta: { epoch, iter: epoch * 10, cfg: '{}', seed: 1, experiment_name: 'x', time: '20260101_000000', detlab_version: '0.1.0' },
    state_dict: new Map([['fc.weight', tf.fill([2, 2], weight)]]),
    optimizer: { tensors: new Map([['fc.weight.momentum_buffer', tf.fill([2, 2], weight / 10)]]), meta: { type: 'SGD', param_groups: [{ lr: 0.1 }] } },
    param_schedulers: [{ type: 'MultiStepLR', last_step: epoch }],
    message_hub: { log_scalars: { 'train/loss': { values: [0.5], counts: [1] } }, runtime_info: { best_score: 0.7 } },
    rng: { seed: 1, epoch },
    hooks: { EarlyStoppingHook: { wait_count: 2 } },
  };
}

/** Local files, except that writing `failOn` dies halfway: half the bytes land in the temporary file, no rename. */
class CrashingFiles extends NodeFileAccess implements FileAccess {
  constructor(readonly failOn: string) {
    super();
  }
  override async writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
    if (!path.endsWith(this.failOn)) return super.writeAtomic(path, data);
    const handle = await open(join(path, '..', `.${this.failOn}.crash.tmp`), 'w');
    if (typeof data === 'string') await handle.write(data.slice(0, data.length / 2));
    else await handle.write(data.subarray(0, data.length / 2));
    await handle.close();
    throw new Error('killed mid-save');
  }
}

describe('runner checkpoint files', () => {
  it('keeps model and optimizer tensors as state_dict.* and optimizer.*, and everything else as metadata', async () => {
    const dir = await tempDir();
    const written = checkpointAt(2, 0.5);
    await writeRunCheckpoint(join(dir, 'epoch_2.safetensors'), written);
    const read = await readRunCheckpoint(join(dir, 'epoch_2.safetensors'));
    expect(read.meta).toEqual(written.meta);
    expect([...read.state_dict.keys()]).toEqual(['fc.weight']);
    expect(values(read.state_dict.get('fc.weight')!)).toEqual([0.5, 0.5, 0.5, 0.5]);
    const optimizer = read.optimizer as { tensors: Map<string, tf.Tensor>; meta: unknown };
    expect(values(optimizer.tensors.get('fc.weight.momentum_buffer')!)).toEqual([0.05, 0.05, 0.05, 0.05].map(Math.fround));
    expect(optimizer.meta).toEqual({ type: 'SGD', param_groups: [{ lr: 0.1 }] });
    expect(read.message_hub).toEqual(written.message_hub);
    expect(read.hooks).toEqual(written.hooks);
    expect(read.rng).toEqual({ seed: 1, epoch: 2 });
    const weightsOnly = await readRunCheckpoint(join(dir, 'epoch_2.safetensors'), { keys: ['state_dict'] });
    expect(Object.keys(weightsOnly).sort()).toEqual(['meta', 'state_dict']);
    disposeRunCheckpoint(read);
    disposeRunCheckpoint(weightsOnly);
    disposeRunCheckpoint(written);
  });

  it('refuses to resume from a weights-only file, saying what to do', async () => {
    const file = join(await tempDir(), 'backbone.safetensors');
    await saveCheckpoint(file, new Map([['w', tf.zeros([1])]]));
    await expect(readRunCheckpoint(file)).rejects.toThrow(/not a runner checkpoint .*\n.*use load_from without resume/s);
  });

  it('a save killed halfway leaves the previous checkpoint and the last_checkpoint pointer intact', async () => {
    const dir = await tempDir();
    const files = new NodeFileAccess();
    await writeRunCheckpoint(join(dir, 'epoch_1.safetensors'), checkpointAt(1, 1), files);
    await writeLastCheckpoint(dir, join(dir, 'epoch_1.safetensors'), files);
    // The same file name again (a re-save), and a new one: both die before their rename.
    for (const name of ['epoch_1.safetensors', 'epoch_2.safetensors']) {
      await expect(writeRunCheckpoint(join(dir, name), checkpointAt(2, 2), new CrashingFiles(name))).rejects.toThrow('killed mid-save');
    }
    expect(await readLastCheckpoint(dir, files)).toBe(join(dir, 'epoch_1.safetensors'));
    expect((await readdir(dir)).filter((f) => f.endsWith('.safetensors'))).toEqual(['epoch_1.safetensors']);
    const survivor = await readRunCheckpoint(join(dir, 'epoch_1.safetensors'));
    expect(survivor.meta.epoch).toBe(1);
    expect(values(survivor.state_dict.get('fc.weight')!)).toEqual([1, 1, 1, 1]);
    disposeRunCheckpoint(survivor);
  });

  it('last_checkpoint holds a path relative to its folder, and is ignored when its file is gone', async () => {
    const dir = await tempDir();
    const files = new NodeFileAccess();
    await writeLastCheckpoint(dir, join(dir, 'run', 'epoch_3.safetensors'), files);
    expect((await files.readText(join(dir, 'last_checkpoint'))).trim()).toBe(join('run', 'epoch_3.safetensors'));
    expect(await readLastCheckpoint(dir, files)).toBeUndefined();
    expect(await readLastCheckpoint(join(dir, 'missing'), files)).toBeUndefined();
  });
});
