/**
 * Where a run writes: `work_dirs/<config name>/<YYYY-MM-DD_HH-MM-SS>_<5-char id>/`.
 *
 * The folder above the run folders is the *work dir root*: the `workDir` option (`--work-dir`) if given, else
 * the config's `work_dir`, else `work_dirs/<config name>` under the current directory. Every run, a resumed one
 * too, gets a fresh run folder there holding the dumped config, the text log, `scalars.jsonl` and its
 * checkpoints. The timestamp comes first so that names sort by start time; the id keeps two runs started in the
 * same second apart.
 *
 * `resume: true` means: the newest checkpoint of the work dir root, found through the root's `last_checkpoint`
 * pointer (every checkpoint save updates it), else through the newest run folder that has a pointer of its own.
 *
 * @example
 * const root = workDirRoot({ configName: 'atss_r18_mnistdet' }); // <cwd>/work_dirs/atss_r18_mnistdet
 * const runDir = await createRunDir(root); // .../2026-11-28_14-03-44_a1b2c
 */
import type { FileAccess } from '@detlab/core';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { readLastCheckpoint } from '../checkpoint/last-checkpoint.js';

/** Names of run folders: a local start time, then a 5-character id. */
export const RUN_FOLDER_PATTERN = /^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_[0-9a-z]{5}$/;

/** What decides the work dir root, strongest first. */
export interface WorkDirSources {
  /** `--work-dir` or `Runner.fromConfig(cfg, { workDir })`. */
  override?: string;
  /** The config's `work_dir`. */
  configWorkDir?: string;
  /** The config's name: its file name without extension. */
  configName: string;
}

/** The absolute work dir root; see the file comment. */
export function workDirRoot(sources: WorkDirSources): string {
  return resolve(sources.override ?? sources.configWorkDir ?? join('work_dirs', sources.configName));
}

/** The config name a config file gives its work dirs (`configs/atss/atss_r18.ts` → `atss_r18`). */
export function configNameOf(configFile: string | undefined): string {
  return configFile ? basename(configFile, extname(configFile)) : 'default';
}

/** A run folder name for a run started at `date`: `YYYY-MM-DD_HH-MM-SS_<id>`. */
export function runFolderName(date: Date, id = randomId()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}_${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}_${id}`;
}

/** Creates a new run folder under `root` and returns its absolute path. */
export async function createRunDir(root: string, date = new Date()): Promise<string> {
  for (;;) {
    const dir = join(root, runFolderName(date));
    try {
      await mkdir(root, { recursive: true });
      await mkdir(dir);
      return dir;
    } catch (error) {
      // Two runs drawing the same id in the same second: draw again.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** The run folders under `root`, newest first. */
export async function listRunDirs(root: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  return names.filter((n) => RUN_FOLDER_PATTERN.test(n)).sort().reverse().map((n) => join(root, n));
}

/** The checkpoint `resume: true` continues from (see the file comment), or undefined when there is none. */
export async function findLatestCheckpoint(root: string, files: FileAccess): Promise<string | undefined> {
  const fromRoot = await readLastCheckpoint(root, files);
  if (fromRoot) return fromRoot;
  for (const dir of await listRunDirs(root)) {
    const found = await readLastCheckpoint(dir, files);
    if (found) return found;
  }
  return undefined;
}

/** 5 characters of [0-9a-z]. */
function randomId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}
