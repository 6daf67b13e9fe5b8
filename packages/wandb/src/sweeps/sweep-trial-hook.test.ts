import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Runner } from '@detlab/engine';
import { writeSweepResults } from './results.js';
import { parseSweepConfig } from './sweep-config.js';
import { SweepStore, currentOwner } from './sweep-store.js';
import { SweepTrialHook } from './sweep-trial-hook.js';
import './index.js';

const sweep = parseSweepConfig({
  method: 'random',
  metric: { name: 'val/bbox_mAP_50', goal: 'maximize' },
  parameters: { lr: { min: 0.001, max: 0.01 }, weight_decay: { values: [0.0001, 0.001] } },
  early_terminate: { type: 'hyperband', min_iter: 1, eta: 2 },
});

function fakeRunner(iter: number) {
  const messages: string[] = [];
  const runner = {
    workDir: '/runs/2026-01-01_00-00-00_abcde',
    iter,
    epoch: iter / 10,
    trainLoop: { stopTraining: false },
    logger: { info: (m: string) => messages.push(m), warn: (m: string) => messages.push(m) },
  };
  return { runner: runner as unknown as Runner & typeof runner, messages };
}

async function sweepWithTrials(): Promise<SweepStore> {
  const store = new SweepStore(await mkdtemp(join(tmpdir(), 'sweep-hook-')));
  await store.init({ format: 'detlab-sweep/1', config: 'toy', created_at: '', sweep });
  for (const [i, best] of [0.5, 0.6].entries()) {
    const t = await store.createTrial({ lr: 0.002 + i / 1000, weight_decay: 0.001 }, currentOwner('x'));
    await store.updateTrial(t.name, (r) => {
      r.state = 'finished';
      r.history = [{ iter: 10, epoch: 1, value: best, at: '' }];
    });
  }
  await store.createTrial({ lr: 0.009, weight_decay: 0.0001 }, currentOwner('x'));
  return store;
}

describe('SweepTrialHook', () => {
  it('records coco/x for the sweep metric val/x and stops a trial hyperband rejects', async () => {
    const store = await sweepWithTrials();
    const hook = new SweepTrialHook({ sweep_dir: store.dir, trial: 'trial-003' });
    const { runner, messages } = fakeRunner(10);
    await hook.beforeTrain(runner);
    await hook.afterValEpoch(runner, { 'coco/bbox_mAP': 0.05, 'coco/bbox_mAP_50': 0.1 });
    const record = await store.readTrial('trial-003');
    expect(record.history.map((p) => p.value)).toEqual([0.1]);
    expect(record.run_dirs).toEqual(['/runs/2026-01-01_00-00-00_abcde']);
    expect(record.stop_reason).toBe('Run: trial-003 Step: 1 (Band: 1 Metric: -0.1 Threshold: -0.5) STOP');
    expect(runner.trainLoop.stopTraining).toBe(true);
    expect(messages.at(-1)).toMatch(/\[SweepTrialHook\] hyperband stops trial-003/);
  });

  it('keeps a good trial running and drops points a resumed attempt logs again', async () => {
    const store = await sweepWithTrials();
    const hook = new SweepTrialHook({ sweep_dir: store.dir, trial: 'trial-003' });
    const first = fakeRunner(10);
    await hook.afterValEpoch(first.runner, { 'coco/bbox_mAP_50': 0.7 });
    await hook.afterValEpoch(fakeRunner(20).runner, { 'coco/bbox_mAP_50': 0.72 });
    expect(first.runner.trainLoop.stopTraining).toBe(false);
    // Resumed from the checkpoint of iteration 10: the point at 20 is logged again.
    const resumed = fakeRunner(10);
    await hook.beforeTrain(resumed.runner);
    await hook.afterValEpoch(fakeRunner(20).runner, { 'coco/bbox_mAP_50': 0.73 });
    expect((await store.readTrial('trial-003')).history.map((p) => [p.iter, p.value])).toEqual([[10, 0.7], [20, 0.73]]);
  });

  it('warns once when the metric is not among the val metrics', async () => {
    const store = await sweepWithTrials();
    const hook = new SweepTrialHook({ sweep_dir: store.dir, trial: 'trial-003' });
    const { runner, messages } = fakeRunner(10);
    await hook.afterValEpoch(runner, { 'coco/bbox_mAP': 0.1 });
    await hook.afterValEpoch(runner, { 'coco/bbox_mAP': 0.1 });
    expect(messages).toEqual([expect.stringMatching(/sweep metric 'val\/bbox_mAP_50' is not among the val metrics \(coco\/bbox_mAP\)/)]);
  });
});

describe('sweep results', () => {
  it('writes a ranked table and a PNG plot of the metric against each parameter', async () => {
    const store = await sweepWithTrials();
    await store.updateTrial('trial-003', (r) => (r.state = 'failed'));
    const { table, files } = await writeSweepResults(store, sweep);
    expect(table.split('\n').slice(0, 5)).toEqual([
      '| trial | lr | weight_decay | best val/bbox_mAP_50 | logged | state |',
      '| --- | --- | --- | --- | --- | --- |',
      '| trial-002 | 0.003 | 0.001 | 0.6 | 1 | finished |',
      '| trial-001 | 0.002 | 0.001 | 0.5 | 1 | finished |',
      '| trial-003 | 0.009 | 1.00e-4 | – | 0 | failed |',
    ]);
    expect(await readFile(files[1], 'utf8')).toMatch(/^trial,lr,weight_decay,best val\/bbox_mAP_50,logged,state\ntrial-002,0.003,0.001,0.6,1,finished\n/);
    const png = await readFile(files[2]);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(720); // two panels of 360 px
  });
});
