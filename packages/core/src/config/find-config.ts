/**
 * Config names on the command line: `--config=atss_kd` finds `configs/distill/atss_kd.ts`, so users need not
 * type paths. A name may carry folders (`distill/atss_kd`) or an extension (`atss_kd.yaml`) to narrow it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../errors.js';
import { didYouMean } from '../utils/did-you-mean.js';

/** Options of `findConfig`. */
export interface FindConfigOptions {
  /** Folders searched recursively, e.g. the workspace's `configs/`. */
  roots: readonly string[];
}

/** Folders never searched for configs: installed packages, and W&B sweep files (`configs/sweeps/atss_kd.yaml`). */
const SKIPPED_FOLDERS = new Set(['node_modules', 'sweeps']);

/** The file extensions a config name is searched with, in this order. */
const SEARCHED_EXTENSIONS = ['.ts', '.js', '.mjs', '.json', '.yaml', '.yml'];

/**
 * The absolute path of a config given by path or by name.
 *
 * An existing file is used as is. Otherwise `name` is searched for as `<name>.{ts,js,mjs,json,yaml,yml}` in
 * every root and its subfolders (`_base_` included; `node_modules`, dot folders and `sweeps`, which holds sweep
 * files rather than configs, skipped). No match, or
 * more than one, is a `ConfigError`: the first lists the searched roots and the closest names, the second
 * every match.
 *
 * @example
 * findConfig('atss_kd', { roots: ['/repo/configs'] }); // '/repo/configs/distill/atss_kd.ts'
 */
export function findConfig(nameOrPath: string, options: FindConfigOptions): string {
  const asPath = resolve(nameOrPath);
  if (existsSync(asPath) && statSync(asPath).isFile()) return asPath;
  if (isAbsolute(nameOrPath) || nameOrPath.startsWith('./') || nameOrPath.startsWith('../')) {
    throw new ConfigError(`Config file not found: ${asPath}`, { file: asPath });
  }
  const name = nameOrPath.split(sep).join('/').replace(/\/+$/, '');
  const files = options.roots.flatMap((root) => configFiles(resolve(root)));
  const matches = files.filter((f) => matchesName(f.name, name)).map((f) => f.path);
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new ConfigError(`Config name '${nameOrPath}' matches ${matches.length} files:\n${matches.map((m) => `  - ${m}`).join('\n')}`, {
      hint: 'Pass the path of the one you mean, or a longer name with its folder (e.g. distill/atss_kd).',
    });
  }
  const roots = options.roots.length > 0 ? options.roots.map((r) => resolve(r)).join(', ') : 'no folders (no config roots given)';
  const candidates = files.map((f) => (name.includes('/') ? stripExtension(f.name) : stripExtension(f.name).split('/').at(-1)!));
  throw new ConfigError(
    `No config named '${nameOrPath}': searched ${roots} for ${searchPattern(name)}.` +
      didYouMean(withoutExtension(name), candidates),
    { hint: 'Pass a path to the config file, or a name of a file under the configs folder.' },
  );
}

interface ConfigFileEntry {
  /** Path relative to its root, with `/` separators (`distill/atss_kd.ts`). */
  name: string;
  /** Absolute path. */
  path: string;
}

/** Every file with a searched extension under `root`, in a stable order. */
function configFiles(root: string): ConfigFileEntry[] {
  const found: ConfigFileEntry[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // a missing or unreadable root is reported by the not-found message, which lists it
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) walk(path);
      } else if (entry.isFile() && SEARCHED_EXTENSIONS.includes(extname(entry.name))) {
        found.push({ name: relative(root, path).split(sep).join('/'), path });
      }
    }
  };
  walk(root);
  return found;
}

/** Whether a root-relative file name is `name`, with or without extension, at a folder boundary. */
function matchesName(fileName: string, name: string): boolean {
  const candidate = SEARCHED_EXTENSIONS.includes(extname(name)) ? fileName : stripExtension(fileName);
  return candidate === name || candidate.endsWith(`/${name}`);
}

function stripExtension(fileName: string): string {
  return fileName.slice(0, fileName.length - extname(fileName).length);
}

/** `name.{ts,js,...}`, or the name itself when it has an extension. */
function searchPattern(name: string): string {
  if (SEARCHED_EXTENSIONS.includes(extname(name))) return name;
  return `${name}.{${SEARCHED_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;
}

function withoutExtension(name: string): string {
  return SEARCHED_EXTENSIONS.includes(extname(name)) ? stripExtension(name) : name;
}
