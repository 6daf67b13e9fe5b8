/**
 * `{{_base_.a.b}}`: a value of the merged base configs, copied into the child, as MMEngine's base-variable
 * placeholders (`Config._pre_substitute_base_vars` / `_substitute_base_vars`).
 *
 * @example
 * # configs/exp.yaml
 * _base_: ./base.yaml
 * val_evaluator: '{{_base_.test_evaluator}}'
 */
import { ConfigError, joinConfigPath } from '../errors.js';
import { didYouMean } from '../utils/did-you-mean.js';
import { isPlainObject } from '../utils/values.js';

const REF = /^\{\{\s*_base_\.([\w-]+(?:\.[\w-]+)*)\s*\}\}$/;
// An unquoted placeholder standing as a whole YAML/JSON value: after `key:`, `[`, `,` or a `- ` list marker,
// and before the end of the line, `,`, `]`, `}` or a comment.
const UNQUOTED_REF = /(?<=(?:^|[:[,])[ \t]*|^[ \t]*-[ \t]+)\{\{\s*(_base_(?:\.[\w-]+)+)\s*\}\}(?=[ \t]*(?:$|[,\]}#]))/gm;

/**
 * YAML or JSON text with unquoted `{{_base_.x}}` values put in double quotes.
 *
 * MMEngine substitutes the text, so it accepts `lr: {{_base_.lr}}`; parsed as is, that is a YAML flow
 * mapping (and invalid JSON). Quoting turns it into the string value that `resolveBaseRefs` replaces.
 */
export function quoteBaseRefs(text: string): string {
  return text.replace(UNQUOTED_REF, (_match, path: string) => `"{{${path}}}"`);
}

/**
 * A copy of `value` where every string that is exactly `{{_base_.a.b}}` is replaced by a copy of that value of
 * `base` (the merged base configs). Digit segments index lists. A missing path is a `ConfigError`.
 */
export function resolveBaseRefs(value: unknown, base: Record<string, unknown> | undefined, file: string, path = ''): unknown {
  if (typeof value === 'string') {
    const match = REF.exec(value);
    return match ? lookup(match[1], base, file, path) : value;
  }
  if (Array.isArray(value)) return value.map((item, i) => resolveBaseRefs(item, base, file, joinConfigPath(path, i)));
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = resolveBaseRefs(item, base, file, joinConfigPath(path, key));
    return copy;
  }
  return value;
}

function lookup(refPath: string, base: Record<string, unknown> | undefined, file: string, path: string): unknown {
  const where = `${path || '(root)'} in ${file}`;
  if (base === undefined) {
    throw new ConfigError(`${where}: '{{_base_.${refPath}}}' refers to a base config, but this file has no _base_`, {
      file,
      configPath: path,
    });
  }
  let node: unknown = base;
  const done: string[] = [];
  for (const segment of refPath.split('.')) {
    const children = childrenOf(node);
    if (!children.has(segment)) {
      const at = done.length > 0 ? `_base_.${done.join('.')}` : '_base_';
      throw new ConfigError(
        `${where}: '{{_base_.${refPath}}}' does not exist: ${at} has no '${segment}'.${didYouMean(segment, children.keys())}`,
        { file, configPath: path },
      );
    }
    node = children.get(segment);
    done.push(segment);
  }
  return structuredClone(node);
}

function childrenOf(node: unknown): Map<string, unknown> {
  if (Array.isArray(node)) return new Map(node.map((item, i) => [String(i), item]));
  if (isPlainObject(node)) return new Map(Object.entries(node));
  return new Map();
}
