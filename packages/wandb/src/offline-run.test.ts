import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetlabError } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import { OFFLINE_FILES, OfflineRun, findOfflineRuns, offlineRunDir, readOfflineRun } from './offline-run.js';

const temp = () => mkdtempSync(join(tmpdir(), 'detlab-offline-'));

/** A finished offline run with two rows, in a fresh folder. */
async function writeRun(root = temp()): Promise<OfflineRun> {
  const run = new OfflineRun(root, { unsent: { tags: ['kd'] } });
  run.start({ id: 'abcd1234', project: 'detlab', name: 'toy', config: { lr: { value: 0.01 } } });
  run.log({ loss: 2 }, 10);
  run.log({ loss: 1, 'coco/bbox_mAP': 0.5 }, 20);
  await run.finish(0);
  return run;
}

describe('OfflineRun', () => {
  it('names the folder as Python wandb does: wandb/offline-run-<YYYYMMDD_HHMMSS>-<id>', () => {
    expect(offlineRunDir('/w', 'abcd1234', new Date(2026, 0, 2, 3, 4, 5))).toBe('/w/wandb/offline-run-20260102_030405-abcd1234');
  });

  it('writes the run, the wrapped config, one history line per row and the summary, and reads them back', async () => {
    const run = await writeRun();
    const { info, config, rows } = readOfflineRun(run.dir);
    expect(info).toMatchObject({ id: 'abcd1234', project: 'detlab', name: 'toy', exitcode: 0, unsent_init_kwargs: { tags: ['kd'] } });
    expect(typeof info.finished_at).toBe('string');
    expect(config).toEqual({ lr: { value: 0.01 } });
    expect(rows.map(({ _runtime, _timestamp, ...row }) => row)).toEqual([
      { loss: 2, _step: 10 },
      { loss: 1, 'coco/bbox_mAP': 0.5, _step: 20 },
    ]);
    expect(JSON.parse(readFileSync(join(run.dir, OFFLINE_FILES.summary), 'utf8'))).toMatchObject({ loss: 1, 'coco/bbox_mAP': 0.5, _step: 20 });
  });

  it('reports a folder it cannot write once, through onFailure, and never throws', () => {
    const root = temp();
    writeFileSync(join(root, 'wandb'), 'a file where the folder should be');
    const failures: string[] = [];
    const run = new OfflineRun(root, { onFailure: (reason) => failures.push(reason) });
    run.start({ id: 'abcd1234', config: {} });
    run.log({ loss: 1 }, 1);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain(`could not write the offline run folder ${run.dir}`);
  });
});

describe('readOfflineRun', () => {
  it('skips a last history line cut short by a crash', async () => {
    const run = await writeRun();
    appendFileSync(join(run.dir, OFFLINE_FILES.history), '{"loss": 0.');
    expect(readOfflineRun(run.dir).rows).toHaveLength(2);
  });

  it('names the file and line of a broken history row', async () => {
    const run = await writeRun();
    const file = join(run.dir, OFFLINE_FILES.history);
    writeFileSync(file, `not json\n${readFileSync(file, 'utf8')}`);
    expect(() => readOfflineRun(run.dir)).toThrow(`${file}:1: not a JSON row`);
  });

  it('refuses a folder that is not an offline run, naming the missing file', () => {
    const dir = temp();
    expect(() => readOfflineRun(dir)).toThrow(`${join(dir, 'run.json')}: missing; ${dir} is not a complete offline W&B run folder`);
    writeFileSync(join(dir, 'run.json'), '{"format": "other"}');
    expect(() => readOfflineRun(dir)).toThrow(`expected format 'detlab-wandb-offline/1', got "other"`);
  });
});

describe('findOfflineRuns', () => {
  it('finds the folder itself, or the offline runs in a training run folder, oldest first', async () => {
    const root = temp();
    const first = await writeRun(root);
    mkdirSync(join(root, 'wandb', 'offline-run-29990101_000000-later000'));
    writeFileSync(join(root, 'wandb', 'offline-run-29990101_000000-later000', 'run.json'), '{}');
    expect(findOfflineRuns(first.dir)).toEqual([first.dir]);
    expect(findOfflineRuns(root)).toEqual([first.dir, join(root, 'wandb', 'offline-run-29990101_000000-later000')]);
    expect(findOfflineRuns(join(root, 'wandb'))).toHaveLength(2);
  });

  it('throws a DetlabError saying where offline runs are written when there is none', () => {
    const dir = temp();
    expect(() => findOfflineRuns(dir)).toThrow(DetlabError);
    expect(() => findOfflineRuns(dir)).toThrow('Offline runs are written by WandbVisBackend under <run folder>/wandb/ when WANDB_MODE=offline.');
  });
});
