/**
 * Deep copies of config data that also check it is plain data: objects, lists, strings, numbers, booleans and
 * null, the values JSON, YAML and `--cfg-options` can express. Configs are copied before every merge so a
 * loaded file, a base shared by two children or a caller's object is never changed behind its owner's back.
 */
import { ConfigError, joinConfigPath } from '../errors.js';
import { describeValue, isPlainObject } from '../utils/values.js';

/** The key that makes a child dict replace its base dict instead of merging into it. */
export const DELETE_KEY = '_delete_';

/** Options of `clonePlainData`: where the data comes from, for error messages. */
export interface ClonePlainDataOptions {
  /** The config file the data was read from. */
  file?: string;
  /** Dotted path of `value` inside the config; empty for the root. */
  path?: string;
  /** Drop every `_delete_` key on the way (they are merge directives, never config values). */
  stripDelete?: boolean;
}

/**
 * A deep copy of `value`, which must be plain config data.
 *
 * Throws a `ConfigError` naming the path for anything else: `undefined`, functions, class instances (`Date`,
 * `Map`), symbols and bigints would not survive a JSON or YAML dump, so a config could not be reproduced from
 * its dump. A `__proto__` key is refused because assigning it would replace the copy's prototype.
 */
export function clonePlainData(value: unknown, options: ClonePlainDataOptions = {}): unknown {
  return cloneAt(value, options.path ?? '', options);
}

function cloneAt(value: unknown, path: string, options: ClonePlainDataOptions): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  if (Array.isArray(value)) return value.map((item, i) => cloneAt(item, joinConfigPath(path, i), options));
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const itemPath = joinConfigPath(path, key);
      if (key === '__proto__') {
        throw new ConfigError(`${itemPath}: '__proto__' cannot be a config key`, { file: options.file, configPath: itemPath });
      }
      if (options.stripDelete && key === DELETE_KEY) {
        checkDeleteFlag(item, itemPath, options.file);
        continue;
      }
      copy[key] = cloneAt(item, itemPath, options);
    }
    return copy;
  }
  const where = options.file ? ` in ${options.file}` : '';
  throw new ConfigError(
    `${path || '(root)'}${where}: expected plain data (an object, list, string, number, boolean or null), got ${describeValue(value)}`,
    {
      file: options.file,
      configPath: path,
      hint: value === undefined ? 'Use null for "no value", or leave the key out.' : undefined,
    },
  );
}

/** Throws unless a `_delete_` value is a boolean; `_delete_: 'yes'` is more likely a typo than a wish. */
export function checkDeleteFlag(flag: unknown, path: string, file?: string): asserts flag is boolean | undefined {
  if (flag === undefined || typeof flag === 'boolean') return;
  throw new ConfigError(`${path}: expected true or false, got ${describeValue(flag)}`, { file, configPath: path });
}
