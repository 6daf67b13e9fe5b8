import { NodeFileAccess } from '@detlab/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLastCheckpoint } from '../checkpoint/last-checkpoint.js';
import { tempDir } from './__fixtures__/toy-run.js';
import { RUN_FOLDER_PATTERN, configNameOf, createRunDir, findLatestCheckpoint, listRunDirs, runFolderName, workDirRoot } from './work-dir.js';

const files = new NodeFileAccess();

describe('work dirs', () => {
  it('names run folders YYYY-MM-DD_HH-MM-SS_<5-char id> in local time', () => {
    const name = runFolderName(new Date(2026, 10, 28, 14, 3, 4), 'a1b2c');
    expect(name).toBe('2026-11-28_14-03-04_a1b2c');
    expect(RUN_FOLDER_PATTERN.test(name)).toBe(true);
    expect(RUN_FOLDER_PATTERN.test(runFolderName(new Date()))).toBe(true);
  });

  it('puts runs under the --work-dir override, else the config work_dir, else work_dirs/<config name>', () => {
    expect(workDirRoot({ override: 'out', configWorkDir: 'cfg', configName: 'atss' })).toBe(resolve('out'));
    expect(workDirRoot({ configWorkDir: 'cfg', configName: 'atss' })).toBe(resolve('cfg'));
    expect(workDirRoot({ configName: 'atss' })).toBe(resolve('work_dirs', 'atss'));
    expect(configNameOf('configs/atss/atss_r18_mnistdet.ts')).toBe('atss_r18_mnistdet');
    expect(configNameOf(undefined)).toBe('default');
  });

  it('creates distinct run folders for runs started in the same second', async () => {
    const root = await tempDir();
    const date = new Date(2026, 0, 1);
    const [a, b] = await Promise.all([createRunDir(root, date), createRunDir(root, date)]);
    expect(a).not.toBe(b);
    expect(await listRunDirs(root)).toHaveLength(2);
  });

  it('finds the checkpoint to resume: the root pointer first, else the newest run folder with a pointer', async () => {
    const root = await tempDir();
    expect(await findLatestCheckpoint(root, files)).toBeUndefined();
    const older = join(root, '2026-01-01_00-00-00_aaaaa');
    const newer = join(root, '2026-01-02_00-00-00_bbbbb');
    const newest = join(root, '2026-01-03_00-00-00_ccccc'); // started, crashed before its first checkpoint
    for (const dir of [older, newer, newest]) await mkdir(dir);
    for (const dir of [older, newer]) {
      await writeFile(join(dir, 'epoch_1.safetensors'), '');
      await writeLastCheckpoint(dir, join(dir, 'epoch_1.safetensors'), files);
    }
    expect(await findLatestCheckpoint(root, files)).toBe(join(newer, 'epoch_1.safetensors'));
    await writeLastCheckpoint(root, join(older, 'epoch_1.safetensors'), files);
    expect(await findLatestCheckpoint(root, files)).toBe(join(older, 'epoch_1.safetensors'));
  });
});
