/**
 * `--cfg-options key=value ...`: command-line overrides of single config values, as MMEngine's `DictAction`
 * (mmengine/config/config.py) and `Config.merge_from_dict(options, allow_list_keys=True)`.
 *
 * @example
 * applyCfgOptions(cfg, ['model.backbone.depth=101', 'train_dataloader.dataset.pipeline.2.scale=[1333,800]']);
 */
import { ConfigError } from '../errors.js';
import { isPlainObject } from '../utils/values.js';
import { mergeConfig } from './merge.js';
import { parseScalar } from './parse-scalar.js';

const EXPECTED_FORM = 'Write each option as KEY=VALUE with a dotted key, e.g. model.backbone.depth=101.';

/**
 * The options as one nested object: `a.b.0.c=value` becomes `{a: {b: {'0': {c: value}}}}`.
 *
 * Digit segments stay string keys, so merging with `allowListKeys` edits that element of a base list.
 * Values parse as MMEngine does: int, float, `true`/`false` (any case), `None`/`null`, else a string;
 * `a,b,c` and `[a,b,c]` are lists, `(a,b,c)` a tuple (a list here), nesting allowed (`[(1,2,3),[a,b],c]`);
 * inside lists, quotes around elements are stripped and all whitespace is removed. A later option wins over
 * an earlier one on the same key.
 *
 * Departure from MMEngine: a value without list syntax keeps its inner spaces (`work_dir='a b'` is `a b`);
 * MMEngine deletes every space in every value.
 */
export function parseCfgOptions(options: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const option of options) {
    const { key, value } = parseCfgOption(option);
    setDottedKey(result, key, value, option);
  }
  return result;
}

/**
 * `cfg` with the options merged in, one at a time and in order, with `allowListKeys`; `cfg` is not changed.
 *
 * Merging in order lets a later option refine an earlier one: `a=[1,2] a.0=5` gives `a: [5, 2]`.
 */
export function applyCfgOptions(cfg: Record<string, unknown>, options: readonly string[]): Record<string, unknown> {
  let result = cfg;
  for (const option of options) {
    const { key, value } = parseCfgOption(option);
    const nested: Record<string, unknown> = {};
    setDottedKey(nested, key, value, option);
    result = mergeConfig(result, nested, { allowListKeys: true });
  }
  return result === cfg ? mergeConfig({}, cfg) : result;
}

/**
 * Sets `target[a][b][c] = value` for the key `a.b.c`, creating (or replacing non-dict) intermediate values.
 * Shared with `Config.merge`, whose option keys may be dotted too. `source` names the option in errors.
 */
export function setDottedKey(target: Record<string, unknown>, key: string, value: unknown, source = key): void {
  const segments = key.split('.');
  if (segments.some((s) => s === '' || s === '__proto__')) {
    throw new ConfigError(`cfg-option '${source}': '${key}' is not a valid dotted key`, { configPath: key, hint: EXPECTED_FORM });
  }
  let node = target;
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment];
    if (!isPlainObject(next)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[segments.at(-1)!] = value;
}

function parseCfgOption(option: string): { key: string; value: unknown } {
  const eq = option.indexOf('=');
  if (eq <= 0) {
    throw new ConfigError(`cfg-option '${option}': expected KEY=VALUE`, { hint: EXPECTED_FORM });
  }
  const key = option.slice(0, eq).trim();
  const raw = option.slice(eq + 1);
  return { key, value: parseOptionValue(raw, option, key) };
}

/** One value: a list when it has list syntax, else a scalar with surrounding quotes removed. */
function parseOptionValue(raw: string, option: string, key: string): unknown {
  const text = stripQuotes(raw.trim());
  if (!looksLikeList(text)) return parseScalar(text);
  const compact = text.replace(/\s+/g, '');
  checkBrackets(compact, option, key);
  return parseIterable(compact);
}

function looksLikeList(text: string): boolean {
  return text.includes(',') || (text.startsWith('[') && text.endsWith(']')) || (text.startsWith('(') && text.endsWith(')'));
}

/** MMEngine's `_parse_iterable`: `[...]` or `(...)` or `a,b`, split on top-level commas, each part parsed again. */
function parseIterable(text: string): unknown {
  const value = stripQuotes(text);
  let inner: string;
  if ((value.startsWith('[') && value.endsWith(']')) || (value.startsWith('(') && value.endsWith(')'))) {
    inner = value.slice(1, -1);
  } else if (value.includes(',')) {
    inner = value;
  } else {
    return parseScalar(value);
  }
  const items: unknown[] = [];
  let rest = inner;
  while (rest.length > 0) {
    const end = topLevelComma(rest);
    items.push(parseIterable(rest.slice(0, end)));
    rest = rest.slice(end + 1);
  }
  return items;
}

/** Index of the first comma outside brackets, or the length when there is none. */
function topLevelComma(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === ',' && depth === 0) return i;
  }
  return text.length;
}

/** Throws unless every `[` and `(` closes, in order. */
function checkBrackets(text: string, option: string, key: string): void {
  const open: string[] = [];
  for (const c of text) {
    if (c === '[' || c === '(') open.push(c);
    else if (c === ']' || c === ')') {
      if (open.pop() !== (c === ']' ? '[' : '(')) return unbalanced(text, option, key);
    }
  }
  if (open.length > 0) unbalanced(text, option, key);
}

function unbalanced(text: string, option: string, key: string): never {
  throw new ConfigError(`cfg-option '${option}': unbalanced brackets in the value '${text}'`, {
    configPath: key,
    hint: 'Close every [ and ( in order; quote the whole option in the shell so it stays one argument.',
  });
}

function stripQuotes(text: string): string {
  return text.replace(/^['"]+|['"]+$/g, '');
}
