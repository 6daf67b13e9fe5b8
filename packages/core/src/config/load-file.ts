/**
 * Reads one config file into plain data, by extension, without resolving its `_base_` (see `Config.fromFile`).
 *
 * - `.ts`, `.mts`, `.js`, `.mjs`, `.cjs`: loaded through jiti, so TS configs need no build step; the default
 *   export is the config (`export default defineConfig({...})`). Placeholders are substituted in its values.
 * - `.json`, `.yaml`, `.yml`: placeholders are substituted in the text, then it is parsed.
 *
 * Syntax errors name the file with line and column; a config module that throws keeps its error as `cause`.
 */
import { stat, readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { describeValue, isPlainObject } from '../utils/values.js';
import { quoteBaseRefs } from './base-refs.js';
import { substituteText, substituteValues } from './env-vars.js';
import { configJiti } from './jiti-loader.js';
import { clonePlainData } from './plain-data.js';

/** The extensions `loadConfigFile` reads, module formats first. */
export const CONFIG_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json', '.yaml', '.yml'] as const;

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs', '.cjs']);

/** Options of `loadConfigFile`. */
export interface LoadConfigFileOptions {
  /** The config whose `_base_` this file is; named when the file is missing. */
  importedBy?: string;
  /** The environment for `{{$VAR}}` placeholders (default: `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The top-level object of one config file, with `_base_` left in place and placeholders substituted.
 *
 * @example
 * const raw = await loadConfigFile('configs/atss/atss_r50_fpn_1x.ts');
 * raw._base_; // ['../_base_/datasets/mnist_det.ts', ...]
 */
export async function loadConfigFile(file: string, options: LoadConfigFileOptions = {}): Promise<Record<string, unknown>> {
  const path = resolve(file);
  const ext = extname(path).toLowerCase();
  if (!(CONFIG_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new ConfigError(`Cannot load config ${path}: ${ext ? `'${ext}'` : 'a file without extension'} is not a config format`, {
      file: path,
      hint: `Use one of ${CONFIG_EXTENSIONS.join(', ')}.`,
    });
  }
  await checkIsFile(path, options.importedBy);
  const substitute = { file: path, env: options.env };
  const data = MODULE_EXTENSIONS.has(ext)
    ? substituteValues(await loadModule(path), substitute)
    : parseText(quoteBaseRefs(substituteText(await readFile(path, 'utf8'), substitute)), ext, path);
  if (!isPlainObject(data)) {
    throw new ConfigError(`${path}: expected an object at the top level of the config, got ${describeValue(data)}`, {
      file: path,
      hint: MODULE_EXTENSIONS.has(ext) ? 'Write `export default defineConfig({ ... })`.' : undefined,
    });
  }
  return clonePlainData(data, { file: path }) as Record<string, unknown>;
}

async function checkIsFile(path: string, importedBy: string | undefined): Promise<void> {
  const baseOf = importedBy ? ` (a _base_ of ${importedBy})` : '';
  try {
    if ((await stat(path)).isFile()) return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConfigError(`Config file not found: ${path}${baseOf}`, { file: importedBy ?? path, cause: error });
    }
    throw new ConfigError(`Cannot read config ${path}${baseOf}: ${(error as Error).message}`, { file: path, cause: error });
  }
  throw new ConfigError(`Config ${path}${baseOf} is not a file`, { file: importedBy ?? path });
}

async function loadModule(path: string): Promise<unknown> {
  let module: unknown;
  try {
    module = await (await configJiti()).import(path);
  } catch (error) {
    throw new ConfigError(`Could not load config ${path}: ${(error as Error)?.message ?? String(error)}`, { file: path, cause: error });
  }
  // Checked with `in`: jiti's default interop makes `module.default` the module itself when there is none.
  if (module === null || typeof module !== 'object' || !('default' in module)) {
    throw new ConfigError(`Config ${path} has no default export`, {
      file: path,
      hint: 'Write `export default defineConfig({ ... })`.',
    });
  }
  return module.default;
}

function parseText(text: string, ext: string, path: string): unknown {
  if (ext === '.json') return parseJson(text, path);
  const doc = parseDocument(text, { prettyErrors: true });
  const [error] = doc.errors;
  if (error) {
    const { line, col } = error.linePos?.[0] ?? { line: 1, col: 1 };
    // The yaml package's message is "<reason> at line L, column C:\n\n<source line>\n<caret>".
    const [first, ...rest] = error.message.split('\n');
    const reason = first.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`Invalid YAML in ${path}:${line}:${col}: ${reason}${snippet(rest.join('\n'))}`, { file: path, cause: error });
  }
  return doc.toJS();
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    // V8 reports an offset ("... in JSON at position 42"), or nothing when the text ends early. The offset is in
    // the substituted text, so a placeholder earlier on the same line can shift the column a little.
    const position = /at position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : text.length;
    const { line, col } = lineAndColumn(text, offset);
    const reason = message.replace(/\s*in JSON at position \d+.*$/s, '');
    const source = text.split('\n')[line - 1] ?? '';
    throw new ConfigError(`Invalid JSON in ${path}:${line}:${col}: ${reason}${snippet(`${source}\n${' '.repeat(col - 1)}^`)}`, {
      file: path,
      cause: error,
    });
  }
}

/** 1-based line and column of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

/** The source excerpt under an error message, indented; empty when there is none. */
function snippet(text: string): string {
  const lines = text.replace(/^\n+/, '').trimEnd();
  return lines ? `\n${lines.replace(/^/gm, '  ')}` : '';
}
