/**
 * Offline W&B runs: a folder holding what would have been uploaded, for `syncOfflineRun` to upload later.
 *
 * `@wandb/sdk` 0.5.1's own offline mode still calls the server and writes nothing (reference/wandb.md §9.7),
 * so `WandbVisBackend` never hands offline runs to the SDK. It writes, with no network at all:
 *
 * ```
 * <dir>/wandb/offline-run-<YYYYMMDD_HHMMSS>-<id>/   (Python wandb's folder name)
 *   run.json              id, project, entity, name, start and finish time, exit code, init_kwargs not sent
 *   config.json           the config as it will be sent: {key: {value}}
 *   wandb-history.jsonl   one row per step, as the SDK sends them (_step, _runtime, _timestamp added)
 *   wandb-summary.json    the last value of every key, as the SDK computes it
 * ```
 *
 * Files are written synchronously at each row (one row per logged step, not per iteration), so a crash
 * keeps everything logged so far. A run without `finished_at` is uploaded as failed (exit code 1).
 *
 * @example
 * WANDB_MODE=offline nx run trainer:train --config=atss_r18_mnistdet
 * nx run trainer:wandb-sync --run=work_dirs/atss_r18_mnistdet/2026-01-02_03-04-05_ab12c/wandb/offline-run-20260102_030405-a1b2c3d4
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DetlabError } from '@detlab/core';
import type { WandbConfig } from './run-config.js';
import type { RunSink } from './run-sink.js';
import type { SdkFinishResult } from './sdk-client.js';
import type { SdkRunInit } from './sdk-worker.js';

/** Layout version in `run.json`, so `syncOfflineRun` can refuse a folder it does not understand. */
export const OFFLINE_RUN_FORMAT = 'detlab-wandb-offline/1';

/** File names inside an offline run folder. */
export const OFFLINE_FILES = { run: 'run.json', config: 'config.json', history: 'wandb-history.jsonl', summary: 'wandb-summary.json' } as const;

/** What `run.json` holds. */
export interface OfflineRunInfo {
  format: typeof OFFLINE_RUN_FORMAT;
  id: string;
  project?: string;
  entity?: string;
  name?: string;
  /** ISO times. */
  started_at: string;
  finished_at?: string;
  exitcode?: number;
  /** init_kwargs the SDK cannot send (tags, group, ...), kept for the record. */
  unsent_init_kwargs?: Record<string, unknown>;
}

/** An offline run folder read back. */
export interface OfflineRunContents {
  dir: string;
  info: OfflineRunInfo;
  config: WandbConfig;
  rows: Array<Record<string, unknown>>;
}

/** Options of `OfflineRun`. */
export interface OfflineRunOptions {
  /** init_kwargs to record in run.json that are not part of the upload. */
  unsent?: Record<string, unknown>;
  /** Called once when a write fails (full disk, no permission); later calls are ignored. */
  onFailure?(reason: string): void;
}

/** Writes an offline run folder under `<root>/wandb/`; see the file comment. */
export class OfflineRun implements RunSink {
  /** The run folder, once started. */
  dir = '';
  private info: OfflineRunInfo | undefined;
  private startedMs = 0;
  private summary: Record<string, unknown> = {};
  private failed = false;

  constructor(
    private readonly root: string,
    private readonly options: OfflineRunOptions = {},
  ) {}

  start(init: SdkRunInit): void {
    const now = new Date();
    this.startedMs = now.getTime();
    this.dir = offlineRunDir(this.root, init.id, now);
    this.info = {
      format: OFFLINE_RUN_FORMAT,
      id: init.id,
      project: init.project,
      entity: init.entity,
      name: init.name,
      started_at: now.toISOString(),
      ...(this.options.unsent && Object.keys(this.options.unsent).length ? { unsent_init_kwargs: this.options.unsent } : {}),
    };
    this.write(() => {
      mkdirSync(this.dir, { recursive: true });
      writeJson(join(this.dir, OFFLINE_FILES.run), this.info);
      writeJson(join(this.dir, OFFLINE_FILES.config), init.config);
    });
  }

  log(row: Record<string, unknown>, step: number): void {
    const now = Date.now();
    // The same extra keys the SDK adds to each row it sends (§9.3).
    const line = { ...row, _step: step, _runtime: (now - this.startedMs) / 1000, _timestamp: now / 1000 };
    Object.assign(this.summary, line);
    this.write(() => {
      appendFileSync(join(this.dir, OFFLINE_FILES.history), `${JSON.stringify(line)}\n`);
      writeJson(join(this.dir, OFFLINE_FILES.summary), this.summary);
    });
  }

  async finish(exitCode = 0): Promise<SdkFinishResult> {
    if (this.info) this.write(() => writeJson(join(this.dir, OFFLINE_FILES.run), { ...this.info, finished_at: new Date().toISOString(), exitcode: exitCode }));
    return this.failed ? { ok: false, reason: `could not write ${this.dir}` } : { ok: true, url: this.dir };
  }

  private write(action: () => void): void {
    if (this.failed || !this.info) return;
    try {
      action();
    } catch (error) {
      this.failed = true;
      this.options.onFailure?.(`could not write the offline run folder ${this.dir}: ${(error as Error).message}`);
    }
  }
}

/** `<root>/wandb/offline-run-<YYYYMMDD_HHMMSS>-<id>` (local time, as Python wandb names them). */
export function offlineRunDir(root: string, id: string, date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}_${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
  return join(root, 'wandb', `offline-run-${stamp}-${id}`);
}

/** Reads an offline run folder; throws a `DetlabError` naming the file that is missing or broken. */
export function readOfflineRun(dir: string): OfflineRunContents {
  const info = readJson(dir, OFFLINE_FILES.run) as OfflineRunInfo;
  if (info?.format !== OFFLINE_RUN_FORMAT) {
    throw new DetlabError(`${join(dir, OFFLINE_FILES.run)}: expected format '${OFFLINE_RUN_FORMAT}', got ${JSON.stringify(info?.format)}`, {
      hint: 'Only folders written by detlab\'s WandbVisBackend (WANDB_MODE=offline) can be synced this way.',
    });
  }
  const config = readJson(dir, OFFLINE_FILES.config) as WandbConfig;
  const historyFile = join(dir, OFFLINE_FILES.history);
  const text = existsSync(historyFile) ? readFileSync(historyFile, 'utf8') : '';
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const rows: Array<Record<string, unknown>> = [];
  for (const [i, line] of lines.entries()) {
    try {
      rows.push(JSON.parse(line));
    } catch (error) {
      // A crash can cut the last line short; earlier lines are complete (each is appended whole).
      if (i < lines.length - 1) throw new DetlabError(`${historyFile}:${i + 1}: not a JSON row`, { cause: error });
    }
  }
  return { dir, info, config, rows };
}

/**
 * The offline run folders at `dir`: `dir` itself when it is one, else the `offline-run-*` folders in `dir`
 * or in `dir/wandb` (a training run folder), oldest first. Throws a `DetlabError` when there are none.
 */
export function findOfflineRuns(dir: string): string[] {
  if (existsSync(join(dir, OFFLINE_FILES.run))) return [dir];
  for (const parent of [dir, join(dir, 'wandb')]) {
    if (!existsSync(parent)) continue;
    const found = readdirSync(parent)
      .filter((name) => name.startsWith('offline-run-') && existsSync(join(parent, name, OFFLINE_FILES.run)))
      .sort()
      .map((name) => join(parent, name));
    if (found.length) return found;
  }
  throw new DetlabError(`${dir}: expected an offline W&B run folder (with ${OFFLINE_FILES.run}), or a folder holding offline-run-* folders; found none`, {
    hint: 'Offline runs are written by WandbVisBackend under <run folder>/wandb/ when WANDB_MODE=offline.',
  });
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function readJson(dir: string, name: string): unknown {
  const file = join(dir, name);
  if (!existsSync(file)) throw new DetlabError(`${file}: missing; ${dir} is not a complete offline W&B run folder`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DetlabError(`${file}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}
