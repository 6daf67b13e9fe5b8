/**
 * Makes MNIST-Det once: `ensureMnistDet` returns at once when `root` holds a complete copy, and otherwise
 * builds one beside it and renames it into place.
 *
 * Completeness is the marker file `.mnist_det.json` (the options and counts), written last; a folder without it
 * is a half-written one (an interrupted run of an older maker, or files removed by hand) and is rebuilt.
 * Building in `<root>.tmp-<pid>-<time>` and renaming makes the switch atomic, so two processes racing to make
 * it (train and val datasets of parallel runs) both end with one complete copy. An existing copy is used
 * whatever options made it, unless `rebuild_if_different` asks for these options exactly (the nx target does).
 *
 * `ensureMnistDetSync` does the same from synchronous code (a dataset constructor): the work runs in a worker
 * thread while the caller blocks.
 *
 * @example
 * await ensureMnistDet('data/mnist_det'); // made on first call, ~instant after
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DetlabError, isPlainObject } from '@detlab/core';
import { runModuleSync } from '@detlab/core';
import { makeMnistDet, mnistDetOptionsSchema, type MnistDetOptions, type MnistDetSummary } from './make-mnist-det.js';

/** The completion marker's file name, inside the dataset root. */
export const MNIST_DET_MARKER = '.mnist_det.json';

/**
 * How ensureMnistDet went.
 *
 * @example
 * const { made, summary } = await ensureMnistDet(root);
 */
export interface EnsureResult {
  /** Whether this call built the dataset. */
  made: boolean;
  /** The marker's content: options and counts. */
  summary: MnistDetSummary;
}

/**
 * The marker's content when `root` holds a complete MNIST-Det, else undefined.
 *
 * @example
 * if (!readMnistDetMarker('data/mnist_det')) console.log('will be made on first use');
 */
export function readMnistDetMarker(root: string): MnistDetSummary | undefined {
  const marker = `${root}/${MNIST_DET_MARKER}`;
  if (!existsSync(marker)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(marker, 'utf8')) as unknown;
    return isPlainObject(parsed) && isPlainObject(parsed.options) ? (parsed as unknown as MnistDetSummary) : undefined;
  } catch {
    return undefined; // a damaged marker means an incomplete folder
  }
}

/**
 * Makes MNIST-Det under `root` unless a complete copy is there; see the file comment.
 *
 * @example
 * await ensureMnistDet('/tmp/mnist', { num_train: 8, num_val: 4 }, { rebuild_if_different: true });
 */
export async function ensureMnistDet(root: string, options: MnistDetOptions = {}, how: { rebuild_if_different?: boolean } = {}): Promise<EnsureResult> {
  const target = resolve(root);
  const wanted = mnistDetOptionsSchema.parse(options);
  const existing = readMnistDetMarker(target);
  if (existing && !(how.rebuild_if_different && JSON.stringify(existing.options) !== JSON.stringify(wanted))) return { made: false, summary: existing };
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  try {
    const summary = await makeMnistDet(tmp, wanted);
    writeFileSync(`${tmp}/${MNIST_DET_MARKER}`, `${JSON.stringify(summary, null, 2)}\n`);
    if (existsSync(target)) {
      // Incomplete, or complete with other options we were asked to replace; a racing maker may have just
      // finished one, which is then kept.
      const raced = readMnistDetMarker(target);
      if (raced && !how.rebuild_if_different) return { made: false, summary: raced };
      rmSync(target, { recursive: true, force: true });
    }
    try {
      renameSync(tmp, target);
    } catch (error) {
      const raced = readMnistDetMarker(target);
      if (raced) return { made: false, summary: raced };
      throw new DetlabError(`MNIST-Det: could not move the finished dataset into ${target}: ${(error as Error).message}`, { cause: error });
    }
    return { made: true, summary };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * `ensureMnistDet` for synchronous callers: returns at once when the marker is there, else blocks while a
 * worker thread makes the dataset (missing parent folders are created).
 *
 * @example
 * ensureMnistDetSync('data/mnist_det'); // then read data/mnist_det/annotations/train.json
 */
export function ensureMnistDetSync(root: string, options: MnistDetOptions = {}): EnsureResult {
  const existing = readMnistDetMarker(resolve(root));
  if (existing) return { made: false, summary: existing };
  return runModuleSync<EnsureResult>(new URL('./ensure-task.js', import.meta.url), { root, options });
}
