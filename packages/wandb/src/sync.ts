/**
 * `syncOfflineRun`: uploads an offline run folder (`offline-run.ts`) to W&B through `@wandb/sdk` 0.5.1, the
 * same way `WandbVisBackend` uploads an online run: same run id, project, entity, name and wrapped config,
 * each stored row logged at its `_step`, then finish with the stored exit code (1 when the training process
 * never closed the run). The server ends up with the history, config and summary an online run would have
 * left, except `_runtime` and `_timestamp`, which the SDK always stamps itself at send time (§9.3).
 *
 * Rows go up in chunks of 5 000, waiting for the SDK to post each chunk (`SdkClient.drain`): its final
 * flush sends at most 10 000 rows and drops the rest (§9.3), which a long run logged every iteration could
 * exceed.
 *
 * Syncing again re-sends the same rows at the same offsets of the same run, which the server overwrites:
 * harmless. On success `synced.json` records where the run went. Failures throw a `DetlabError` with the
 * reason (unlike the backend, nothing else is running that it could stop).
 *
 * @example
 * const { url } = await syncOfflineRun('work_dirs/atss/2026-01-02_03-04-05_ab12c/wandb/offline-run-20260102_030405-a1b2c3d4');
 * // or: nx run trainer:wandb-sync --run=work_dirs/atss/2026-01-02_03-04-05_ab12c
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DetlabError } from '@detlab/core';
import { readOfflineRun } from './offline-run.js';
import { SdkClient } from './sdk-client.js';

/** Options of `syncOfflineRun`; the server and key default to `WANDB_BASE_URL` / `WANDB_API_KEY`. */
export interface SyncOfflineRunOptions {
  baseUrl?: string;
  apiKey?: string;
  /** How long starting and finishing the run may each take (ms). Default 60 000. */
  timeoutMs?: number;
}

/** What `syncOfflineRun` uploaded. */
export interface SyncOfflineRunResult {
  dir: string;
  id: string;
  /** The run's page. */
  url: string;
  /** History rows uploaded. */
  rows: number;
}

/** File written into a synced folder. */
export const SYNCED_FILE = 'synced.json';

/** Rows queued before waiting for the SDK to post them; under its 10 000-row post limit, with room to spare. */
const CHUNK_ROWS = 5000;

/** Uploads the offline run in `dir`; see the file comment. */
export async function syncOfflineRun(dir: string, options: SyncOfflineRunOptions = {}): Promise<SyncOfflineRunResult> {
  const { info, config, rows } = readOfflineRun(dir);
  const client = new SdkClient({ settings: { baseUrl: options.baseUrl, apiKey: options.apiKey }, timeoutMs: options.timeoutMs });
  client.start({ id: info.id, project: info.project, entity: info.entity, name: info.name, config });
  for (let i = 0; i < rows.length; i++) {
    const { _step, _runtime, _timestamp, ...row } = rows[i]!;
    client.log(row, Number(_step));
    if ((i + 1) % CHUNK_ROWS === 0 && i + 1 < rows.length) await client.drain();
  }
  // A folder without finished_at belongs to a process that died before close: upload it as failed.
  const result = await client.finish(info.finished_at ? (info.exitcode ?? 0) : 1);
  if (!result.ok) {
    throw new DetlabError(`Could not upload the offline W&B run ${dir} to ${client.baseUrl}: ${result.reason}`, {
      hint: /HTTP 40[13]|API key/i.test(result.reason)
        ? 'Set WANDB_API_KEY to a valid key (or put one for this server in ~/.netrc), then run the sync again.'
        : 'Check that WANDB_BASE_URL points to a reachable W&B server, then run the sync again; the folder is unchanged.',
    });
  }
  writeFileSync(join(dir, SYNCED_FILE), `${JSON.stringify({ url: result.url, rows: rows.length, synced_at: new Date().toISOString() }, null, 2)}\n`);
  return { dir, id: info.id, url: result.url, rows: rows.length };
}
