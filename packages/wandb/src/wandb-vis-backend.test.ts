import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VISBACKENDS } from '@detlab/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWandbTestServer, type WandbTestServer } from './__fixtures__/wandb-test-server.js';
import { MemoryLogger, TEST_API_KEY, setWandbEnv } from './__fixtures__/test-env.js';
import { RUN_CONFIG, logToyRun, stable } from './__fixtures__/toy-run.js';
import { OFFLINE_FILES, readOfflineRun } from './offline-run.js';
import { WandbVisBackend, resolveMode, type WandbVisBackendOptions } from './wandb-vis-backend.js';

let server: WandbTestServer;
let restoreEnv: () => void;
let workDir: string;

beforeEach(async () => {
  server = await startWandbTestServer({ apiKey: TEST_API_KEY });
  restoreEnv = setWandbEnv({ WANDB_BASE_URL: server.url, WANDB_API_KEY: TEST_API_KEY });
  workDir = mkdtempSync(join(tmpdir(), 'detlab-wandb-'));
});

afterEach(async () => {
  restoreEnv();
  await server.close();
});

function makeBackend(options: Partial<WandbVisBackendOptions> = {}, logger = new MemoryLogger()): WandbVisBackend {
  return new WandbVisBackend({ save_dir: workDir, define_metric_cfg: { 'coco/bbox_mAP': 'max' }, ...options }, logger);
}

describe('WandbVisBackend online', () => {
  it('sends one history row per step, with increasing steps, lower-step metrics joining the pending row', async () => {
    const logger = new MemoryLogger();
    await logToyRun(makeBackend({ init_kwargs: { project: 'detlab', name: 'atss-toy' } }, logger));
    const run = server.onlyRun();
    expect(stable(run.history)).toEqual([
      { lr: 0.01, loss: 1.5, epoch: 1, iter: 10, grad_norm: 3, _step: 10 },
      { lr: 0.01, loss: 1.0, epoch: 1, iter: 20, 'coco/bbox_mAP': 0.4, 'coco/bbox_mAP.max': 0.4, _step: 20 },
      { lr: 0.001, loss: 0.75, epoch: 2, iter: 30, 'coco/bbox_mAP': 0.3, 'coco/bbox_mAP.max': 0.4, _step: 30 },
    ]);
    expect(run.history.every((row) => typeof row._timestamp === 'number' && typeof row._runtime === 'number')).toBe(true);
    expect(logger.warnings).toEqual([]);
    expect(logger.lines).toContain(`INFO [WandbVisBackend] W&B run: ${server.url.replace('api.wandb', 'wandb')}/tester/detlab/runs/${run.id}`);
  });

  it('sends the config as the W&B UI shows it, init_kwargs.config under the run config', async () => {
    await logToyRun(makeBackend({ init_kwargs: { project: 'detlab', config: { note: 'baseline', model: 'overridden' } } }));
    expect(server.onlyRun().config).toEqual({
      note: { value: 'baseline' },
      model: { value: { type: 'ATSS', num_classes: 10 } },
      optim_wrapper: { value: { optimizer: { type: 'SGD', lr: 0.01 } } },
    });
  });

  it('leaves the best value in the summary under metric.max, and finishes the run', async () => {
    await logToyRun(makeBackend({ init_kwargs: { project: 'detlab', name: 'atss-toy', id: 'run00001' } }));
    const run = server.onlyRun();
    expect(run).toMatchObject({ id: 'run00001', project: 'detlab', entity: 'tester', displayName: 'atss-toy', state: 'finished', exitcode: 0 });
    expect(run.summary).toMatchObject({ 'coco/bbox_mAP': 0.3, 'coco/bbox_mAP.max': 0.4, loss: 0.75, grad_norm: 3, _step: 30 });
    const finish = server.requests.filter((r) => r.body?.complete === true);
    expect(finish).toHaveLength(1);
    expect(finish[0]!.body).toEqual({ complete: true, exitcode: 0 });
  });

  it('authenticates every request with the key from WANDB_API_KEY and calls only the SDK endpoints', async () => {
    await logToyRun(makeBackend());
    const expected = `Basic ${Buffer.from(`api:${TEST_API_KEY}`).toString('base64')}`;
    expect(server.requests.every((r) => r.authorization === expected)).toBe(true);
    const kinds = new Set(server.requests.map((r) => (r.path === '/graphql' ? r.body.operationName : r.path.replace(/\/files\/.*\/file_stream$/, 'file_stream'))));
    expect([...kinds].sort()).toEqual(['UpsertBucket', 'Viewer', 'file_stream']);
  });

  it('starts the run at the first scalars when no config comes, and warns once for init_kwargs it cannot send', async () => {
    const logger = new MemoryLogger();
    const backend = makeBackend({ init_kwargs: { project: 'detlab', tags: ['kd'], group: 'g1' } }, logger);
    backend.addScalars({ loss: 1 }, 1);
    backend.addConfig(RUN_CONFIG, JSON.stringify(RUN_CONFIG));
    await backend.close();
    expect(server.onlyRun().config).toEqual({});
    expect(logger.warnings).toEqual([
      'WARN [WandbVisBackend] init_kwargs tags, group are not sent: @wandb/sdk 0.5.1 sends only project, entity, name, id and config.',
      'WARN [WandbVisBackend] The config arrived after the W&B run started, so it is not sent (@wandb/sdk 0.5.1 sends the config only when a run starts).',
    ]);
  });
});

describe('WandbVisBackend offline', () => {
  it('with WANDB_MODE=offline makes no request at all and writes an offline run folder', async () => {
    restoreEnv();
    restoreEnv = setWandbEnv({ WANDB_BASE_URL: server.url, WANDB_MODE: 'offline' }); // and no API key
    const logger = new MemoryLogger();
    const backend = makeBackend({ init_kwargs: { project: 'detlab', name: 'atss-toy', tags: ['kd'] } }, logger);
    await logToyRun(backend);
    expect(server.requests).toEqual([]);
    const dir = backend.offlineDir!;
    expect(dir).toMatch(new RegExp(`^${workDir}/wandb/offline-run-\\d{8}_\\d{6}-[a-z0-9]{8}$`));
    expect(readdirSync(dir).sort()).toEqual(Object.values(OFFLINE_FILES).sort());
    const { info, config, rows } = readOfflineRun(dir);
    expect(info).toMatchObject({ project: 'detlab', name: 'atss-toy', exitcode: 0, unsent_init_kwargs: { tags: ['kd'] } });
    expect(config.model).toEqual({ value: RUN_CONFIG.model });
    expect(stable(rows).map((r) => r._step)).toEqual([10, 20, 30]);
    expect(rows[2]).toMatchObject({ 'coco/bbox_mAP': 0.3, 'coco/bbox_mAP.max': 0.4 });
    expect(JSON.parse(readFileSync(join(dir, OFFLINE_FILES.summary), 'utf8'))).toMatchObject({ 'coco/bbox_mAP.max': 0.4, _step: 30 });
    expect(logger.lines.at(-1)).toBe(`INFO [WandbVisBackend] Offline W&B run saved in ${dir}; upload it with: nx run trainer:wandb-sync --run=${dir}`);
  });

  it("with init_kwargs mode 'offline' writes under init_kwargs.dir, even when WANDB_MODE says online", async () => {
    process.env.WANDB_MODE = 'online';
    const dir = join(workDir, 'elsewhere');
    const backend = makeBackend({ init_kwargs: { mode: 'offline', dir } });
    await logToyRun(backend);
    expect(server.requests).toEqual([]);
    expect(backend.offlineDir!.startsWith(join(dir, 'wandb', 'offline-run-'))).toBe(true);
  });

  it("with mode 'disabled' does nothing", async () => {
    const backend = makeBackend({ init_kwargs: { mode: 'disabled' } });
    await logToyRun(backend);
    expect(server.requests).toEqual([]);
    expect(existsSync(join(workDir, 'wandb'))).toBe(false);
  });
});

describe('WandbVisBackend options', () => {
  it('is built from VISBACKENDS by its MMEngine name, with save_dir from the runner', () => {
    const backend = VISBACKENDS.build<WandbVisBackend>({ type: 'WandbVisBackend', init_kwargs: { project: 'p' } }, { defaults: { save_dir: workDir } });
    expect(backend).toBeInstanceOf(WandbVisBackend);
    expect(backend.options).toMatchObject({ save_dir: workDir, commit: true, define_metric_cfg: null, timeout: 60 });
  });

  it('rejects an unknown summary kind with its config path', () => {
    expect(() => VISBACKENDS.build({ type: 'WandbVisBackend', define_metric_cfg: { 'coco/bbox_mAP': 'maximum' } }, { path: 'vis_backends.1', defaults: { save_dir: workDir } })).toThrow(
      /vis_backends\.1\.define_metric_cfg.*expected max, min, mean, best or last/s,
    );
  });

  it('says once why log_code_name, watch_kwargs and commit: false have no effect', () => {
    const logger = new MemoryLogger();
    makeBackend({ log_code_name: 'detlab', watch_kwargs: { log: 'all' }, commit: false }, logger);
    expect(logger.warnings).toEqual([
      'WARN [WandbVisBackend] log_code_name is ignored: @wandb/sdk 0.5.1 cannot upload files.',
      'WARN [WandbVisBackend] watch_kwargs is ignored: @wandb/sdk 0.5.1 has no watch(), and detlab models are not torch modules.',
      'WARN [WandbVisBackend] commit: false changes nothing: rows are merged by step and committed when the step advances.',
    ]);
  });

  it('takes the mode that sends less when init_kwargs and WANDB_MODE disagree', () => {
    expect(resolveMode(undefined, undefined)).toBe('online');
    expect(resolveMode('online', 'offline')).toBe('offline');
    expect(resolveMode('offline', 'disabled')).toBe('disabled');
    expect(resolveMode(undefined, 'dryrun')).toBe('offline');
  });
});
