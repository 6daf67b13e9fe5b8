import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a piece of code was defined: its source file and the npm package that holds it. */
export interface SourceLocation {
  /** Absolute path of the file, or undefined when the stack did not name one. */
  file?: string;
  /** `name` of the nearest package.json above the file, or `'<unknown>'`. */
  packageName: string;
}

const packageNameByDir = new Map<string, string>();
const thisFile = fileURLToPath(import.meta.url);
const frameFile = /(?:\(|at )((?:file:\/\/)?\/[^():]+):\d+:\d+\)?\s*$/;

/**
 * The location of the first stack frame outside the files `skip` matches.
 *
 * JavaScript has no `__module__`, so a registration learns where it comes from by reading the stack at the
 * moment of the call; duplicate-registration errors can then name both packages.
 */
export function callerLocation(skip: (file: string) => boolean): SourceLocation {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const match = frameFile.exec(line);
    if (!match) continue;
    const file = match[1].startsWith('file://') ? fileURLToPath(match[1]) : match[1];
    if (file.startsWith('node:') || file === thisFile || skip(file)) continue;
    return { file, packageName: packageNameOf(file) };
  }
  return { packageName: '<unknown>' };
}

/** The `name` of the nearest package.json at or above the file's folder. */
export function packageNameOf(file: string): string {
  const visited: string[] = [];
  let dir = dirname(file);
  let name = '<unknown>';
  for (;;) {
    const cached = packageNameByDir.get(dir);
    if (cached !== undefined) {
      name = cached;
      break;
    }
    visited.push(dir);
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      name = readPackageName(manifest);
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of visited) packageNameByDir.set(d, name);
  return name;
}

function readPackageName(manifest: string): string {
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
    return typeof parsed.name === 'string' ? parsed.name : '<unnamed package>';
  } catch {
    return '<unreadable package.json>';
  }
}
