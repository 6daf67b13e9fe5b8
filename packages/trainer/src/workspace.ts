/**
 * Where the user's files are.
 *
 * Relative paths are taken from the working directory: the workspace root under `nx run trainer:<command>`
 * (its targets run there), the shell's folder under the `detlab` executable. Config names are searched in
 * the nearest `configs/` folder at or above it.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** An absolute path for a path the user typed. */
export function userPath(path: string): string {
  return isAbsolute(path) ? path : resolve(process.cwd(), path);
}

/** The `configs/` folder searched for config names, as a one-element list (empty when there is none). */
export function configRoots(): string[] {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const candidate = join(dir, 'configs');
    if (existsSync(candidate)) return [candidate];
    if (dirname(dir) === dir) return [];
  }
}
