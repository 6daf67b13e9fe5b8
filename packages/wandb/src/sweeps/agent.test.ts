import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runAgent } from './agent.js';
import { parseSweepConfig, type SweepConfig } from './sweep-config.js';
import { SweepStore } from './sweep-store.js';
import './index.js';

const child = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__/agent-child.ts');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;

async function newStore(sweep: SweepConfig): Promise<SweepStore> {
  const store = new SweepStore(await mkdtemp(join(tmpdir(), 'sweep-agent-')));
  await store.init({ format: 'detlab-sweep/1', config: 'toy', created_at: new Date().toISOString(), sweep });
  return store;
}

/** Runs agent-child.ts; resolves with its exit code. */
function spawnAgent(store: SweepStore, agent: string, maxTrials: number, trialMs: number): { done: Promise<number | null>; kill(): void } {
  const proc = spawn(process.execPath, ['--import', 'jiti/register', child, store.dir, agent, String(maxTrials), String(trialMs)], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { done: new Promise((resolve) => proc.on('exit', (code) => resolve(code))), kill: () => proc.kill('SIGKILL') };
}

const grid = parseSweepConfig({ method: 'grid', parameters: { a: { values: [1, 2, 3] }, b: { values: ['x', 'y'] } } });

describe('sweep agents', () => {
  it('runs each trial once when several agents share the folder in one process', async () => {
    const store = await newStore(grid);
    const ran: string[] = [];
    const runTrial = async (trial: { name: string }) => {
      ran.push(trial.name);
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      return { stopped: false };
    };
    const summaries = await Promise.all([1, 2, 3].map((i) => runAgent({ store, sweep: grid, agent: `a${i}`, runTrial, logger: quiet })));
    expect(ran.sort()).toEqual(['trial-001', 'trial-002', 'trial-003', 'trial-004', 'trial-005', 'trial-006']);
    const trials = await store.readTrials();
    expect(new Set(trials.map((t) => JSON.stringify(t.params))).size).toBe(6);
    expect(trials.every((t) => t.state === 'finished' && t.attempts === 1)).toBe(true);
    expect(summaries.map((s) => s.reason)).toEqual(Array(3).fill('method grid has no points left'));
  });

  it('never runs a trial twice with agents in separate processes', async () => {
    const store = await newStore(grid);
    const agents = [1, 2].map((i) => spawnAgent(store, `p${i}`, 5, 150));
    expect(await Promise.all(agents.map((a) => a.done))).toEqual([0, 0]);
    const lines = (await readFile(join(store.dir, 'ran.log'), 'utf8')).trim().split('\n');
    const names = lines.map((l) => l.split(' ')[1]);
    expect(names.sort()).toEqual(['trial-001', 'trial-002', 'trial-003', 'trial-004', 'trial-005']); // --count 5 of 6 points
    expect(new Set((await store.readTrials()).map((t) => JSON.stringify(t.params))).size).toBe(5);
  }, 60_000);

  it('resumes the trial a killed agent left running, then finishes the sweep', async () => {
    const store = await newStore(grid);
    const killed = spawnAgent(store, 'doomed', 3, 60_000);
    for (let i = 0; i < 200 && !(await store.readTrials()).length; i++) await new Promise((r) => setTimeout(r, 50));
    killed.kill();
    await killed.done;
    const [orphan] = await store.readTrials();
    expect(orphan).toMatchObject({ name: 'trial-001', state: 'running' });
    expect(await store.isOrphaned(orphan)).toBe(true);

    const started: Array<[string, boolean]> = [];
    await runAgent({ store, sweep: grid, maxTrials: 3, logger: quiet, runTrial: async (t, { resume }) => (started.push([t.name, resume]), { stopped: false }) });
    expect(started).toEqual([['trial-001', true], ['trial-002', false], ['trial-003', false]]);
    const trials = await store.readTrials();
    expect(trials.map((t) => [t.state, t.attempts])).toEqual([['finished', 2], ['finished', 1], ['finished', 1]]);
  }, 60_000);

  it('marks an interrupted trial and resumes it next time; stops after three failures in a row', async () => {
    const store = await newStore(grid);
    const interrupt = Object.assign(new Error('interrupted by SIGINT'), { exitCode: 130 });
    await expect(runAgent({ store, sweep: grid, maxTrials: 2, logger: quiet, runTrial: async () => Promise.reject(interrupt) })).rejects.toBe(interrupt);
    expect((await store.readTrials())[0].state).toBe('interrupted');
    let calls = 0;
    await expect(runAgent({ store, sweep: grid, maxTrials: 6, logger: quiet, runTrial: async () => Promise.reject(new Error(`boom ${++calls}`)) })).rejects.toThrow(/stopped after 3 failed trials in a row/);
    expect((await store.readTrials()).map((t) => t.state)).toEqual(['failed', 'failed', 'failed']);
  });

  it('refuses a folder that holds a different sweep', async () => {
    const store = await newStore(grid);
    const other = parseSweepConfig({ method: 'random', parameters: { a: { values: [1] } } });
    await expect(store.init({ format: 'detlab-sweep/1', config: 'toy', created_at: '', sweep: other })).rejects.toThrow(/holds a different sweep[\s\S]*another --sweep-dir/);
  });

  it('breaks a lock left behind by a dead process', async () => {
    const store = await newStore(grid);
    await writeFile(join(store.dir, 'sweep.lock'), JSON.stringify({ agent: 'x', pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname() }));
    expect(await store.withLock(async () => 'got it')).toBe('got it');
  });
});
