/**
 * Where a `_base_` entry points: a file relative to the config's folder, or `pkg::path`, a file inside an
 * installed npm package (MMEngine's `mmdet::_base_/default_runtime.py`).
 *
 * A package that declares `"detlab": {"scope": "x"}` in its package.json owns the types its configs name, so
 * every outermost dict with a `type` read from such a base gets `_scope_: 'x'` (see `withScope`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { isPlainObject } from '../utils/values.js';

/** A resolved `_base_` entry. */
export interface ResolvedBase {
  /** Absolute path of the base config. */
  file: string;
  /** The `detlab.scope` of the package a `pkg::path` base is in, if it declares one. */
  scope?: string;
}

/**
 * The file a `_base_` entry of `configFile` names, and the scope its package declares.
 *
 * @example
 * resolveBasePath('../_base_/default_runtime.ts', '/repo/configs/atss/atss.ts'); // { file: '/repo/configs/_base_/default_runtime.ts' }
 * resolveBasePath('@acme/detlab-configs::retinanet/base.yaml', '/repo/configs/x.yaml'); // { file: '.../node_modules/@acme/detlab-configs/retinanet/base.yaml', scope: 'acme' }
 */
export function resolveBasePath(spec: string, configFile: string): ResolvedBase {
  const separator = spec.indexOf('::');
  if (separator < 0) return { file: resolve(dirname(configFile), spec) };
  const pkg = spec.slice(0, separator);
  const path = spec.slice(separator + 2);
  if (!pkg || !path) {
    throw new ConfigError(`_base_ '${spec}' in ${configFile}: expected PACKAGE::PATH, e.g. @detlab/configs::_base_/default_runtime.ts`, {
      file: configFile,
      configPath: '_base_',
    });
  }
  const packageJson = findPackageJson(pkg, configFile);
  if (!packageJson) {
    throw new ConfigError(`_base_ '${spec}' in ${configFile}: package '${pkg}' is not installed`, {
      file: configFile,
      configPath: '_base_',
      hint: `Run \`npm install ${pkg}\`.`,
    });
  }
  return { file: resolve(dirname(packageJson), path), scope: declaredScope(packageJson) };
}

/**
 * A copy of `value` where every outermost dict with a `type` key and no `_scope_` gets `_scope_: scope`.
 *
 * Departure from MMEngine, which marks only the outermost such dicts and relies on the registry to pass the
 * scope down while building: here nested dicts carry it too, so each one names its scope on its own.
 */
export function withScope(value: unknown, scope: string): unknown {
  if (Array.isArray(value)) return value.map((item) => withScope(item, scope));
  if (!isPlainObject(value)) return value;
  // The outermost typed dict takes the scope; what it holds is built inside it, so inherits it (MMEngine's
  // `_dict_to_config_dict`). Nested nodes that no registry builds (an `nms: {type: 'nms'}`) stay as written.
  if ('type' in value) return '_scope_' in value ? value : { ...value, _scope_: scope };
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = withScope(item, scope);
  return copy;
}

/** The package's package.json, found as Node would find the package from `configFile`. */
function findPackageJson(pkg: string, configFile: string): string | undefined {
  try {
    return createRequire(configFile).resolve(`${pkg}/package.json`);
  } catch {
    // A package whose `exports` does not list `./package.json` cannot be resolved that way: walk up instead.
  }
  for (let dir = dirname(configFile); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function declaredScope(packageJson: string): string | undefined {
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as { detlab?: { scope?: unknown } };
  const scope = manifest.detlab?.scope;
  return typeof scope === 'string' && scope !== '' ? scope : undefined;
}
