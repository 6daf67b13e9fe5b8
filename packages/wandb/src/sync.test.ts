import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetlabError } from '@detlab/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWandbTestServer, unusedUrl, type ServerRun, type WandbTestServer } from './__fixtures__/wandb-test-server.js';
import { TEST_API_KEY, MemoryLogger, setWandbEnv } from './__fixtures__/test-env.js';
import { logToyRun, stable } from './__fixtures__/toy-run.js';
import { OfflineRun } from './offline-run.js';
import { SYNCED_FILE, syncOfflineRun } from './sync.js';
import { WandbVisBackend } from './wandb-vis-backend.js';

let online: WandbTestServer;
let later: WandbTestServer;
let restoreEnv = () => {};
let workDir: string;

beforeEach(async () => {
  online = await startWandbTestServer({ apiKey: TEST_API_KEY });
  later = await startWandbTestServer({ apiKey: TEST_API_KEY });
  workDir = mkdtempSync(join(tmpdir(), 'detlab-wandb-sync-'));
});

afterEach(async () => {
  restoreEnv();
  await online.close();
  await later.close();
});

const INIT = { project: 'detlab', name: 'atss-toy', id: 'toyrun01' };

/** Runs the toy run offline (no key, no server) and returns its folder. */
async function offlineToyRun(): Promise<string> {
  restoreEnv = setWandbEnv({ WANDB_MODE: 'offline' });
  const backend = new WandbVisBackend({ save_dir: workDir, init_kwargs: INIT, define_metric_cfg: { 'coco/bbox_mAP': 'max' } }, new MemoryLogger());
  await logToyRun(backend);
  restoreEnv();
  return backend.offlineDir!;
}

/** A server run without what differs by nature between two uploads: send times. */
function comparable(run: ServerRun) {
  const { _runtime, _timestamp, ...summary } = run.summary;
  return { ...run, history: stable(run.history), summary };
}

describe('syncOfflineRun', () => {
  it('leaves on the server the history, config and summary that the same run logged online leaves', async () => {
    restoreEnv = setWandbEnv({ WANDB_BASE_URL: online.url, WANDB_API_KEY: TEST_API_KEY });
    await logToyRun(new WandbVisBackend({ save_dir: workDir, init_kwargs: INIT, define_metric_cfg: { 'coco/bbox_mAP': 'max' } }, new MemoryLogger()));
    restoreEnv();

    const dir = await offlineToyRun();
    const result = await syncOfflineRun(dir, { baseUrl: later.url, apiKey: TEST_API_KEY });

    expect(comparable(later.onlyRun())).toEqual(comparable(online.onlyRun()));
    expect(later.onlyRun()).toMatchObject({ id: 'toyrun01', state: 'finished', exitcode: 0 });
    expect(later.onlyRun().history).toHaveLength(3);
    expect(result).toEqual({ dir, id: 'toyrun01', rows: 3, url: `${later.url}/tester/detlab/runs/toyrun01` });
    expect(JSON.parse(readFileSync(join(dir, SYNCED_FILE), 'utf8'))).toMatchObject({ url: result.url, rows: 3 });
  });

  it('takes the server and key from WANDB_BASE_URL and WANDB_API_KEY', async () => {
    const dir = await offlineToyRun();
    restoreEnv = setWandbEnv({ WANDB_BASE_URL: later.url, WANDB_API_KEY: TEST_API_KEY });
    await syncOfflineRun(dir);
    expect(later.onlyRun().history.map((row) => row._step)).toEqual([10, 20, 30]);
  });

  it('uploads a run whose process died before close as failed (exit code 1)', async () => {
    const run = new OfflineRun(workDir);
    run.start({ id: 'crashed1', project: 'detlab', config: { lr: { value: 0.01 } } });
    run.log({ loss: 2 }, 1);
    await syncOfflineRun(run.dir, { baseUrl: later.url, apiKey: TEST_API_KEY });
    expect(later.onlyRun()).toMatchObject({ state: 'failed', exitcode: 1, config: { lr: { value: 0.01 } } });
  });

  it('throws a DetlabError naming the folder, the server and the fix when the server is down', async () => {
    const dir = await offlineToyRun();
    const url = await unusedUrl();
    const error = await syncOfflineRun(dir, { baseUrl: url, apiKey: TEST_API_KEY }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DetlabError);
    expect((error as Error).message).toBe(
      `Could not upload the offline W&B run ${dir} to ${url}: POST /graphql failed: ECONNREFUSED\n  Check that WANDB_BASE_URL points to a reachable W&B server, then run the sync again; the folder is unchanged.`,
    );
    expect(existsSync(join(dir, SYNCED_FILE))).toBe(false);
  });

  it('uploads more rows than the SDK sends in one post (10 000) without losing any', async () => {
    const run = new OfflineRun(workDir);
    run.start({ id: 'longrun1', project: 'detlab', config: {} });
    for (let step = 1; step <= 12_000; step++) run.log({ loss: 1 / step }, step);
    await run.finish(0);
    await syncOfflineRun(run.dir, { baseUrl: later.url, apiKey: TEST_API_KEY });
    const history = later.onlyRun().history;
    expect(history).toHaveLength(12_000);
    expect(history.at(-1)).toMatchObject({ _step: 12_000, loss: 1 / 12_000 });
  }, 30_000);
});
