/**
 * File access as a service, so a plugin (or a test) can redirect where runs read and write.
 *
 * `writeAtomic` writes a sibling temporary file, flushes it to disk and renames it over the target: a reader
 * (or a resumed run after a crash) sees the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file operations detlab services use; resolve with the `FILE_ACCESS` token. */
export interface FileAccess {
  readText(path: string): Promise<string>;
  readBytes(path: string): Promise<Uint8Array>;
  /** Writes all of `data` or nothing (temporary file + fsync + rename); creates missing folders. */
  writeAtomic(path: string, data: string | Uint8Array): Promise<void>;
  exists(path: string): Promise<boolean>;
}

/** `FileAccess` on the local file system. */
export class NodeFileAccess implements FileAccess {
  readText(path: string): Promise<string> {
    return readFile(path, 'utf8');
  }

  async readBytes(path: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(path));
  }

  async writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
    const dir = dirname(path);
    await mkdir(dir, { recursive: true });
    const temporary = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temporary, path);
  }

  async exists(path: string): Promise<boolean> {
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  }
}
