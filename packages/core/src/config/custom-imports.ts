/**
 * `custom_imports`: modules a config imports before anything is built, so the classes they register exist,
 * as MMEngine's `import_modules_from_strings` (mmengine/utils/misc.py).
 *
 * @example
 * // configs/toy.yaml
 * custom_imports:
 *   imports: ['@acme/detlab-plugin', './plugins/my-neck.ts']
 *   allow_failed_imports: false
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import semver from 'semver';
import { ConfigError } from '../errors.js';
import { describeValue, isPlainObject } from '../utils/values.js';
import { pluginJitiInstance } from './jiti-loader.js';

/** Options of `importCustomModules`. */
export interface ImportCustomModulesOptions {
  /** The config the data came from: paths and package names resolve from its folder first, and errors name it. */
  configFile?: string;
  /** Receives the message of each failed import when `allow_failed_imports` is true (default: `console.warn`). */
  warn?: (message: string) => void;
}

const TS_EXTENSIONS = /\.(?:c|m)?tsx?$/;

/** Imports started so far, by resolved file URL (see `importOnce`). */
const importsByUrl = new Map<string, Promise<unknown>>();

/**
 * Imports every module `cfg.custom_imports.imports` lists, in order, and returns their specifiers.
 *
 * An entry that starts with `./`, `../` or `/` is a path to a JS or TS module, relative to the config's folder
 * (TS loads through jiti); any other entry is an npm package, resolved from the config's folder, then from the
 * working directory. A package that declares the `@detlab/core` range it supports (`peerDependencies` or
 * `detlab.core` in its package.json) is checked against the running core before it is imported (see
 * `checkCoreRange`). A failure is a `ConfigError` naming the entry and the config, unless
 * `allow_failed_imports` is true: then it is passed to `warn` and the entry is skipped.
 */
export async function importCustomModules(
  cfg: Record<string, unknown>,
  options: ImportCustomModulesOptions = {},
): Promise<string[]> {
  const spec = readCustomImports(cfg.custom_imports, options.configFile);
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const imported: string[] = [];
  for (const entry of spec.imports) {
    try {
      await importOne(entry, options.configFile);
      imported.push(entry);
    } catch (error) {
      if (!spec.allowFailed || !(error instanceof ConfigError)) throw error;
      warn(`${error.message}\n  Skipped, because allow_failed_imports is true.`);
    }
  }
  return imported;
}

interface CustomImports {
  imports: string[];
  allowFailed: boolean;
}

/** The validated `custom_imports` value; absent or null means nothing to import. */
function readCustomImports(value: unknown, file: string | undefined): CustomImports {
  if (value === undefined || value === null) return { imports: [], allowFailed: false };
  const where = file ? ` in ${file}` : '';
  const imports = isPlainObject(value) ? value.imports : undefined;
  // MMEngine accepts a single module name as well as a list.
  const list = typeof imports === 'string' ? [imports] : imports;
  if (!isPlainObject(value) || !Array.isArray(list) || !list.every((m) => typeof m === 'string' && m !== '')) {
    throw new ConfigError(
      `custom_imports.imports${where}: expected a list of npm package names or module paths, got ${describeValue(isPlainObject(value) ? imports : value)}`,
      { file, configPath: 'custom_imports.imports', hint: "Write custom_imports: { imports: ['my-plugin', './my-module.ts'] }." },
    );
  }
  const allowFailed = value.allow_failed_imports ?? false;
  if (typeof allowFailed !== 'boolean') {
    throw new ConfigError(`custom_imports.allow_failed_imports${where}: expected true or false, got ${describeValue(allowFailed)}`, {
      file,
      configPath: 'custom_imports.allow_failed_imports',
    });
  }
  return { imports: list as string[], allowFailed };
}

async function importOne(entry: string, configFile: string | undefined): Promise<void> {
  const from = configFile ? ` (custom_imports of ${configFile})` : '';
  const isPath = entry.startsWith('./') || entry.startsWith('../') || isAbsolute(entry);
  const url = isPath ? modulePath(entry, configFile, from) : await resolvePackage(entry, configFile, from);
  if (!isPath) checkCoreRange(entry, url, configFile, from);
  try {
    await importOnce(url);
  } catch (error) {
    throw new ConfigError(`Importing '${entry}'${from} failed: ${(error as Error)?.message ?? String(error)}`, {
      file: configFile,
      configPath: 'custom_imports.imports',
      cause: error,
    });
  }
}

/**
 * Imports a module by file URL, at most once per process. Without this, two configs loaded at the same time
 * (diff-config loads both in parallel) could both start jiti on a TS plugin before either finished, evaluate it
 * twice and register its classes twice. A failed import is forgotten, so a later call tries again.
 */
function importOnce(url: string): Promise<unknown> {
  let pending = importsByUrl.get(url);
  if (!pending) {
    pending = TS_EXTENSIONS.test(url) ? pluginJitiInstance().then((jiti) => jiti.import(fileURLToPath(url))) : import(url);
    importsByUrl.set(url, pending);
    pending.catch(() => importsByUrl.delete(url));
  }
  return pending;
}

/** The file URL of a module given by path; throws when the file does not exist. */
function modulePath(entry: string, configFile: string | undefined, from: string): string {
  const path = resolve(configFile ? dirname(configFile) : process.cwd(), entry);
  if (!existsSync(path)) {
    throw new ConfigError(`Cannot import '${entry}'${from}: ${path} does not exist`, {
      file: configFile,
      configPath: 'custom_imports.imports',
    });
  }
  return pathToFileURL(path).href;
}

/**
 * The file URL of an npm package's entry, from the config's folder, then the working directory.
 *
 * Resolved with `import` conditions first: detlab packages are ESM whose `exports` have no `require` entry, so
 * `require.resolve` fails on them (ERR_PACKAGE_PATH_NOT_EXPORTED), and for a dual package it would pick the
 * CommonJS copy, whose registrations the ESM copy never sees. `require.resolve` remains the fallback.
 */
async function resolvePackage(name: string, configFile: string | undefined, from: string): Promise<string> {
  const jiti = await pluginJitiInstance();
  const folders = [...new Set([...(configFile ? [dirname(configFile)] : []), process.cwd()])];
  for (const folder of folders) {
    // jiti's resolver takes a parent URL; Node 20's import.meta.resolve does not without a flag.
    const url = jiti.esmResolve(name, { parentURL: pathToFileURL(join(folder, '/')), try: true }) ?? requireResolve(name, folder);
    if (url) return url;
  }
  throw new ConfigError(`Cannot find package '${name}'${from}; looked from ${folders.join(' and ')}`, {
    file: configFile,
    configPath: 'custom_imports.imports',
    hint: `Run \`npm install ${name}\`, or fix the name.`,
  });
}

function requireResolve(name: string, folder: string): string | undefined {
  try {
    return pathToFileURL(createRequire(join(folder, 'noop.js')).resolve(name)).href;
  } catch {
    return undefined;
  }
}

/** The version of the running `@detlab/core`, read once from its package.json (`src/` and `dist/` sit at the same depth). */
let runningCoreVersion: string | undefined;

/** The version of this `@detlab/core`. */
export function coreVersion(): string {
  runningCoreVersion ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return runningCoreVersion;
}

/** What a plugin's package.json says about the `@detlab/core` it needs. */
interface PluginManifest {
  name?: string;
  version?: string;
  peerDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
  detlab?: { core?: string };
}

/**
 * Throws a `ConfigError` naming both versions when the package `entry` resolves to declares a `@detlab/core`
 * range the running core is not in. The range is `detlab.core` in its package.json, else its
 * `peerDependencies['@detlab/core']`, else its `dependencies['@detlab/core']`; a package that declares none, or a
 * range that is not semver (`workspace:*`, a file path), is not checked. Pre-releases count as in range.
 */
export function checkCoreRange(entry: string, url: string, configFile?: string, from = ''): void {
  const found = owningManifest(packageOfSpecifier(entry), url);
  if (!found) return;
  const { manifest, file } = found;
  const range = manifest.detlab?.core ?? manifest.peerDependencies?.['@detlab/core'] ?? manifest.dependencies?.['@detlab/core'];
  if (typeof range !== 'string' || semver.validRange(range) === null) return;
  const running = coreVersion();
  if (semver.satisfies(running, range, { includePrerelease: true })) return;
  const plugin = `${manifest.name ?? entry}${manifest.version ? `@${manifest.version}` : ''}`;
  throw new ConfigError(
    `Plugin ${plugin}${from} supports @detlab/core ${range}, but the running @detlab/core is ${running} (range declared in ${file})`,
    {
      file: configFile,
      configPath: 'custom_imports.imports',
      hint: `Install a version of ${manifest.name ?? entry} made for @detlab/core ${running}, or @detlab/core in ${range}.`,
    },
  );
}

/** `@scope/name` or `name` of an import specifier that may carry a subpath (`@scope/name/sub`). */
function packageOfSpecifier(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The package.json named `name` above the resolved entry `url` (the package's own), or undefined. */
function owningManifest(name: string, url: string): { manifest: PluginManifest; file: string } | undefined {
  if (!url.startsWith('file:')) return undefined;
  for (let dir = dirname(fileURLToPath(url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const manifest = JSON.parse(readFileSync(file, 'utf8')) as PluginManifest;
        if (manifest.name === name) return { manifest, file };
      } catch {
        // A broken package.json on the way up is not ours to report: the import itself will fail if it matters.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}
