/**
 * Config inheritance: a child config merged into its base, as MMEngine's `Config._merge_a_into_b`
 * (mmengine/config/config.py). This is what `_base_`, `Config.merge` and `--cfg-options` all go through.
 */
import { ConfigError, joinConfigPath } from '../errors.js';
import { describeValue, isPlainObject } from '../utils/values.js';
import { DELETE_KEY, checkDeleteFlag, clonePlainData } from './plain-data.js';

/** Options of `mergeConfig`. */
export interface MergeOptions {
  /**
   * Let an all-digit key address an element of a list in the base (`pipeline: {'2': {scale: [1, 2]}}` edits
   * `pipeline[2]`). On for `--cfg-options`, off for `_base_` inheritance, as in MMEngine.
   */
  allowListKeys?: boolean;
}

/**
 * The child config merged into the base config; neither input is changed.
 *
 * - A dict merges key by key, recursively, where the base has the key; a key new to the base is taken as is.
 * - Lists and scalars replace the base value: lists are never merged element-wise by inheritance.
 * - `_delete_: true` in a child dict makes it replace the base dict instead of merging into it.
 * - A dict in the child over a list or scalar in the base is an error, unless `_delete_: true` says to replace.
 * - With `allowListKeys`, an all-digit key merges into that element of a base list (a non-dict value replaces
 *   the element); an index past the end is an error.
 *
 * Departure from MMEngine: `_delete_` is always removed from the result. MMEngine removes it only when the
 * key exists in the base, so `_delete_=True` on a key new to the base survives into the resolved config
 * (and then reaches the constructor that config builds).
 *
 * @example
 * mergeConfig(
 *   { optimizer: { type: 'SGD', lr: 0.02, momentum: 0.9 } },
 *   { optimizer: { lr: 0.01 } },
 * ); // { optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9 } }
 */
export function mergeConfig(
  base: Record<string, unknown>,
  child: Record<string, unknown>,
  options: MergeOptions = {},
): Record<string, unknown> {
  // Both sides are copied first: the merge below then edits the base copy in place and reuses child subtrees.
  const baseCopy = clonePlainData(base, { stripDelete: true });
  const childCopy = clonePlainData(child, { stripDelete: false });
  return mergeValue(baseCopy, childCopy, '', options.allowListKeys ?? false) as Record<string, unknown>;
}

/** `child` (an owned copy) merged into `base` (an owned copy), at config path `path`. */
function mergeValue(base: unknown, child: unknown, path: string, allowListKeys: boolean): unknown {
  if (!isPlainObject(child)) return child;
  const flag = child[DELETE_KEY];
  checkDeleteFlag(flag, joinConfigPath(path, DELETE_KEY));
  if (flag === true) return stripDelete(child);
  if (isPlainObject(base)) return mergeIntoDict(base, child, path, allowListKeys);
  if (allowListKeys && Array.isArray(base)) return mergeIntoList(base, child, path, allowListKeys);
  throw new ConfigError(
    `${path || '(root)'}: cannot merge a dict in the child config into ${kindOf(base)} in the base config ` +
      `(child: ${describeValue(stripDelete(child))}, base: ${describeValue(base)})`,
    { configPath: path, hint: `Set \`_delete_: true\` in the child's ${path || 'root'} dict to replace the base value instead.` },
  );
}

function mergeIntoDict(
  base: Record<string, unknown>,
  child: Record<string, unknown>,
  path: string,
  allowListKeys: boolean,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(child)) {
    if (key === DELETE_KEY) continue;
    const itemPath = joinConfigPath(path, key);
    base[key] = Object.hasOwn(base, key) ? mergeValue(base[key], value, itemPath, allowListKeys) : stripDelete(value);
  }
  return base;
}

function mergeIntoList(base: unknown[], child: Record<string, unknown>, path: string, allowListKeys: boolean): unknown[] {
  for (const [key, value] of Object.entries(child)) {
    if (key === DELETE_KEY) continue;
    const itemPath = joinConfigPath(path, key);
    if (!/^\d+$/.test(key)) {
      throw new ConfigError(`${itemPath}: ${path} is a list in the base config, so its keys must be indices, got '${key}'`, {
        configPath: itemPath,
      });
    }
    const index = Number(key);
    if (index >= base.length) {
      throw new ConfigError(
        `${itemPath}: index ${index} is out of range for ${path}, a list of length ${base.length} in the base config`,
        { configPath: itemPath, hint: `Use an index from 0 to ${base.length - 1}, or set the whole list.` },
      );
    }
    base[index] = mergeValue(base[index], value, itemPath, allowListKeys);
  }
  return base;
}

/** The value with every `_delete_` key removed, at any depth (a new subtree is taken whole, so none is read). */
function stripDelete(value: unknown): unknown {
  return clonePlainData(value, { stripDelete: true });
}

/** `a list`, `a string`, `null`...: the base value's kind for the type-mismatch message. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
