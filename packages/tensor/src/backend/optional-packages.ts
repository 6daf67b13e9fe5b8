/**
 * Optional npm packages: finding out whether one is installed, and importing it without TypeScript or a bundler
 * needing it.
 *
 * The native and GPU backends are optional peer dependencies of @detlab/tensor. They are never required: the
 * import specifier is computed at run time, so `tsc` does not look for their types and vitest/esbuild do not
 * try to resolve them ahead of time.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * Whether `name` can be found from this package, the way Node looks for it: `node_modules/<name>/package.json`
 * in this folder or any folder above. Checked before importing so that "not installed" is told apart from
 * "installed but fails to load" (tfjs-node without libtensorflow) without parsing error messages.
 */
export function isInstalled(name: string): boolean {
  const folders = require.resolve.paths(name) ?? [];
  return folders.some((folder) => existsSync(join(folder, name, 'package.json')));
}

/** Imports an optional package by name; the result is untyped because its types need not be installed. */
export async function importOptional(name: string): Promise<Record<string, unknown>> {
  const specifier: string = name; // a variable, not a literal: keeps tsc and vite from resolving it
  return (await import(specifier)) as Record<string, unknown>;
}

/** The first line of an error's message, for one-line skip reasons. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n', 1)[0] ?? '').trim();
}
