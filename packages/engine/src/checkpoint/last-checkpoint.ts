/**
 * The `last_checkpoint` pointer file, as MMEngine's: one line naming the newest checkpoint of a folder.
 *
 * Each run folder has one, and so has the folder above the run folders (`work_dirs/<config name>/`), which
 * is where `resume: true` looks first. The path is written relative to the pointer's folder, so a work dir can
 * be moved; an absolute path in a pointer is honoured too. Writes are atomic.
 *
 * @example
 * await writeLastCheckpoint('work_dirs/toy', 'work_dirs/toy/2026-11-28_14-03-44_a1b2c/epoch_2.safetensors', files);
 * await readLastCheckpoint('work_dirs/toy', files); // '/abs/work_dirs/toy/2026-11-28_14-03-44_a1b2c/epoch_2.safetensors'
 */
import type { FileAccess } from '@detlab/core';
import { isAbsolute, join, relative, resolve } from 'node:path';

/** The pointer's file name (MMEngine's). */
export const LAST_CHECKPOINT_FILE = 'last_checkpoint';

/** Points `dir/last_checkpoint` at `checkpoint`, atomically. */
export async function writeLastCheckpoint(dir: string, checkpoint: string, files: FileAccess): Promise<void> {
  await files.writeAtomic(join(dir, LAST_CHECKPOINT_FILE), `${relative(resolve(dir), resolve(checkpoint))}\n`);
}

/** The absolute path `dir/last_checkpoint` names when it names an existing file; otherwise undefined. */
export async function readLastCheckpoint(dir: string, files: FileAccess): Promise<string | undefined> {
  const pointer = join(dir, LAST_CHECKPOINT_FILE);
  if (!(await files.exists(pointer))) return undefined;
  const target = (await files.readText(pointer)).trim();
  if (!target) return undefined;
  const path = isAbsolute(target) ? target : resolve(dir, target);
  return (await files.exists(path)) ? path : undefined;
}
