/**
 * The sweep folder: the only state a sweep has, so that a crashed sweep resumes and several agents (processes
 * on one machine, or machines sharing the folder over a network file system) work on it together.
 *
 * ```
 * <sweep dir>/
 *   sweep.json                 the filled sweep config, the detlab config name and the creation time
 *   trials/trial-001.json      one record per trial (`trial.ts`): params, state, metric history, owner
 *   trials/trial-001.heartbeat touched every few seconds while an agent runs the trial
 *   runs/trial-001/            the trial's work dir root; its run folders are <timestamp>_<id>
 *   sweep.lock                 held (O_EXCL) for the milliseconds it takes to choose and claim a trial
 *   results.md, results.csv, metric_vs_params.png   written when the sweep ends (`results.ts`)
 * ```
 *
 * Every file is written atomically (a temporary file renamed over it), so a reader never sees half a record.
 * Choosing the next trial and creating its record happen under `sweep.lock`, and the record itself is created
 * with O_EXCL, so two agents never run the same trial. A lock left by a dead process (same host, pid gone) or
 * older than `LOCK_STALE_MS` is broken.
 *
 * A `running` trial whose owner died (same host: pid gone; any host: heartbeat older than `staleAfterMs`), and
 * an `interrupted` one, is *orphaned*: the next agent claims it under the lock and resumes it from its last
 * checkpoint.
 */
import { ConfigError, DetlabError } from '@detlab/core';
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SweepConfig } from './sweep-config.js';
import { trialName, type TrialOwner, type TrialRecord } from './trial.js';

/** A lock older than this is broken even if its owner looks alive (a lock is held for milliseconds). */
export const LOCK_STALE_MS = 60_000;
/** How often an agent touches a running trial's heartbeat file. */
export const HEARTBEAT_MS = 10_000;

/** What `sweep.json` holds. */
export interface SweepMeta {
  format: 'detlab-sweep/1';
  /** The detlab config the trials train (`atss_kd`). */
  config: string;
  /** The sweep file it was made from. */
  sweep_file?: string;
  created_at: string;
  sweep: SweepConfig;
}

/** The sweep folder; see the file comment. */
export class SweepStore {
  /** How old a running trial's heartbeat may get before another host's agent takes it over. */
  staleAfterMs = 5 * 60_000;

  constructor(readonly dir: string) {}

  get trialsDir(): string {
    return join(this.dir, 'trials');
  }

  /** The work dir root of trial `name`. */
  runsDir(name: string): string {
    return join(this.dir, 'runs', name);
  }

  /**
   * Creates the folder with `meta`, or opens an existing one: then its sweep config must equal `meta.sweep`
   * (a different one would make the stored trials meaningless for the search).
   */
  async init(meta: SweepMeta): Promise<SweepMeta> {
    await mkdir(this.trialsDir, { recursive: true });
    const existing = await this.readMeta();
    if (existing) {
      if (JSON.stringify(existing.sweep) !== JSON.stringify(meta.sweep) || existing.config !== meta.config) {
        throw new ConfigError(`The sweep folder ${this.dir} holds a different sweep (config ${existing.config}, from ${existing.sweep_file ?? 'unknown file'})`, {
          file: join(this.dir, 'sweep.json'),
          hint: 'Give another --sweep-dir for a new sweep, or run it with the sweep file and config it was made with to resume it.',
        });
      }
      return existing;
    }
    await writeAtomic(join(this.dir, 'sweep.json'), `${JSON.stringify(meta, null, 2)}\n`);
    return meta;
  }

  /** `sweep.json`, or undefined for a new folder. */
  async readMeta(): Promise<SweepMeta | undefined> {
    const text = await readFile(join(this.dir, 'sweep.json'), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as SweepMeta;
    } catch (error) {
      throw new DetlabError(`${join(this.dir, 'sweep.json')} is not valid JSON: ${(error as Error).message}`, { cause: error, hint: 'Restore it, or start a new sweep with another --sweep-dir.' });
    }
  }

  /** Every trial record, by index. */
  async readTrials(): Promise<TrialRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.trialsDir);
    } catch {
      return [];
    }
    const records = await Promise.all(names.filter((n) => /^trial-\d+\.json$/.test(n)).map((n) => this.readTrialFile(join(this.trialsDir, n))));
    return records.sort((a, b) => a.index - b.index);
  }

  /** Trial `name`'s record. */
  readTrial(name: string): Promise<TrialRecord> {
    return this.readTrialFile(join(this.trialsDir, `${name}.json`));
  }

  /** Writes `record` (atomically), stamping `updated_at`. */
  async writeTrial(record: TrialRecord): Promise<void> {
    record.updated_at = new Date().toISOString();
    await writeAtomic(join(this.trialsDir, `${record.name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  }

  /** Reads trial `name`, lets `change` edit it, writes it back; only the trial's owner calls this. */
  async updateTrial(name: string, change: (record: TrialRecord) => void): Promise<TrialRecord> {
    const record = await this.readTrial(name);
    change(record);
    await this.writeTrial(record);
    return record;
  }

  /** Creates the record of a new trial with the next index; exclusive, so an index is never taken twice. */
  async createTrial(params: Record<string, unknown>, owner: TrialOwner, searchInfo?: Record<string, unknown>): Promise<TrialRecord> {
    const trials = await this.readTrials();
    for (let index = (trials.at(-1)?.index ?? 0) + 1; ; index++) {
      const name = trialName(index);
      const now = new Date().toISOString();
      const record: TrialRecord = { name, index, state: 'running', params, history: [], owner, attempts: 1, created_at: now, updated_at: now, run_dirs: [], search_info: searchInfo };
      // Written aside, then hard-linked into place: link() fails on an existing name (as O_EXCL does) and
      // readers never see a half-written record.
      const tmp = join(this.trialsDir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
      try {
        await link(tmp, join(this.trialsDir, `${name}.json`));
        return record;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        await rm(tmp, { force: true });
      }
    }
  }

  /** Whether `record` is orphaned (see the file comment). */
  async isOrphaned(record: TrialRecord): Promise<boolean> {
    if (record.state === 'interrupted') return true;
    if (record.state !== 'running') return false;
    if (record.owner.host === hostname() && !processAlive(record.owner.pid)) return true;
    const beat = await stat(this.heartbeatFile(record.name)).then((s) => s.mtimeMs, () => Date.parse(record.updated_at));
    return Date.now() - beat > this.staleAfterMs;
  }

  /** Touches trial `name`'s heartbeat now and every `HEARTBEAT_MS`; call the result to stop. */
  startHeartbeat(name: string): () => void {
    const file = this.heartbeatFile(name);
    const beat = (): void => {
      const now = new Date();
      utimes(file, now, now).catch(() => writeFile(file, '').catch(() => undefined));
    };
    beat();
    const timer = setInterval(beat, HEARTBEAT_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Runs `fn` holding `sweep.lock` (see the file comment); waits while another agent holds it.
   *
   * @example
   * await store.withLock(async () => { const trials = await store.readTrials(); ... });
   */
  async withLock<T>(fn: () => Promise<T>, owner = currentOwner('lock')): Promise<T> {
    const file = join(this.dir, 'sweep.lock');
    const token = `${JSON.stringify({ ...owner, token: randomBytes(6).toString('hex'), at: new Date().toISOString() })}\n`;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(file, 'wx');
        await handle.writeFile(token);
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (await this.breakStaleLock(file)) continue;
        if (Date.now() - started > 2 * LOCK_STALE_MS) {
          throw new DetlabError(`Could not take ${file} for ${(2 * LOCK_STALE_MS) / 1000} s`, { hint: 'If no agent is running, delete the file and try again.' });
        }
        await sleep(10 + Math.random() * Math.min(200, 10 * 2 ** Math.min(attempt, 4)));
      }
    }
    try {
      return await fn();
    } finally {
      // Only our own lock is removed: a lock broken as stale and re-taken by another agent stays.
      if ((await readFile(file, 'utf8').catch(() => '')) === token) await rm(file, { force: true });
    }
  }

  private async breakStaleLock(file: string): Promise<boolean> {
    const [text, info] = await Promise.all([readFile(file, 'utf8').catch(() => ''), stat(file).catch(() => undefined)]);
    if (!info) return true; // released meanwhile
    let holder: Partial<TrialOwner> = {};
    try {
      holder = JSON.parse(text) as TrialOwner;
    } catch {
      // Being written right now, or garbage; the age test below decides.
    }
    const dead = holder.host === hostname() && typeof holder.pid === 'number' && !processAlive(holder.pid);
    if (!dead && Date.now() - info.mtimeMs < LOCK_STALE_MS) return false;
    // Renamed away first, so that two agents breaking the same stale lock cannot delete a fresh one.
    const aside = `${file}.stale-${randomBytes(4).toString('hex')}`;
    await rename(file, aside).then(() => rm(aside, { force: true }), () => undefined);
    return true;
  }

  private heartbeatFile(name: string): string {
    return join(this.trialsDir, `${name}.heartbeat`);
  }

  private async readTrialFile(path: string): Promise<TrialRecord> {
    const text = await readFile(path, 'utf8');
    try {
      return JSON.parse(text) as TrialRecord;
    } catch (error) {
      throw new DetlabError(`Trial record ${path} is not valid JSON: ${(error as Error).message}`, { cause: error, hint: 'Delete the file to drop that trial, or restore it.' });
    }
  }
}

/** This process as a trial or lock owner; `agent` names the agent. */
export function currentOwner(agent: string): TrialOwner {
  return { agent, pid: process.pid, host: hostname() };
}

/** Writes `text` to `path` through a temporary file in the same folder and a rename. */
export async function writeAtomic(path: string, text: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
