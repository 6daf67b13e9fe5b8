/**
 * Reading a run's scalar log, as `LocalVisBackend` writes it: `scalars.jsonl` in the run folder, one JSON
 * object per line. Train rows carry `iter` and `epoch` (their `step` is the iteration); val rows carry the
 * metrics and a `step` that is the epoch (LoggerHook's `log_metric_by_epoch`, the default) or the iteration.
 *
 * @example
 * const log = await readScalarLog('work_dirs/atss_r18_mnistdet/20250101_120000');
 * log.points.filter((p) => p.key === 'loss'); // [{ key: 'loss', x: 50, axis: 'iter', value: 1.23, run }, ...]
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DetlabError } from '@detlab/core';

/** The file name LocalVisBackend writes (its `scalar_save_file` default). */
export const SCALAR_LOG_FILE = 'scalars.jsonl';

/** One plotted value: `key` at `x` on the `axis` it is logged by, in run `run`. */
export interface ScalarPoint {
  run: string;
  key: string;
  axis: 'iter' | 'epoch';
  x: number;
  value: number;
}

/** A run's scalar log, as points. */
export interface ScalarLog {
  /** The run's label: `<config>/<run folder>`. */
  run: string;
  /** The file read. */
  file: string;
  points: ScalarPoint[];
}

/** Bookkeeping and timing columns: logged with every row, never worth a plot by default. */
const NOT_PLOTTED = new Set(['step', 'iter', 'epoch', 'time', 'data_time', 'memory', 'eta']);

/**
 * The scalar log of `dir`: a run folder (holding `scalars.jsonl` or `vis_data/scalars.jsonl`), the file itself,
 * or a config's work dir holding run folders (the newest is taken). A mistake names the path and what to pass.
 */
export async function readScalarLog(dir: string): Promise<ScalarLog> {
  const file = await findScalarFile(dir);
  const text = await readFile(file, 'utf8');
  const points: ScalarPoint[] = [];
  const run = runLabel(file);
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch (error) {
      throw new DetlabError(`${file}:${i + 1}: not a JSON line (${(error as Error).message})`, { hint: 'The scalar log is written by LocalVisBackend; was the file edited or cut short?' });
    }
    const isTrain = typeof row.iter === 'number';
    const step = typeof row.step === 'number' ? row.step : i;
    for (const [key, value] of Object.entries(row)) {
      if (NOT_PLOTTED.has(key) || typeof value !== 'number' || !Number.isFinite(value)) continue;
      points.push(isTrain ? { run, key, axis: 'iter', x: row.iter as number, value } : { run, key, axis: 'epoch', x: step, value });
    }
  });
  return { run, file, points };
}

/** The keys `analyze-logs` plots when `--keys` is not given: losses, learning rates and metrics, in log order. */
export function defaultKeys(points: readonly ScalarPoint[]): string[] {
  const keys = [...new Set(points.map((p) => p.key))];
  return keys.filter((key) => key.startsWith('loss') || key.endsWith('lr') || key.includes('/'));
}

async function findScalarFile(dir: string): Promise<string> {
  if (!existsSync(dir)) {
    throw new DetlabError(`--run: ${dir} does not exist`, { hint: 'Pass a run folder of a training run (work_dirs/<config>/<timestamp>), which holds scalars.jsonl.' });
  }
  if (statSync(dir).isFile()) return dir;
  for (const candidate of [join(dir, SCALAR_LOG_FILE), join(dir, 'vis_data', SCALAR_LOG_FILE)]) if (existsSync(candidate)) return candidate;
  // A config's work dir: its run folders are timestamps, so the last in name order is the newest.
  const runs = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && existsSync(join(dir, e.name, SCALAR_LOG_FILE)));
  const newest = runs.map((e) => e.name).sort().at(-1);
  if (newest) return join(dir, newest, SCALAR_LOG_FILE);
  throw new DetlabError(`--run: no ${SCALAR_LOG_FILE} in ${dir}, nor in a run folder below it`, {
    hint: "Scalars are written by LocalVisBackend: keep vis_backends: [{ type: 'LocalVisBackend' }] in the config, and pass the run folder.",
  });
}

/** `<config>/<run folder>` of a scalar file: enough to tell overlaid runs apart. */
function runLabel(file: string): string {
  let dir = dirname(file);
  if (basename(dir) === 'vis_data') dir = dirname(dir);
  return `${basename(dirname(dir))}/${basename(dir)}`;
}
