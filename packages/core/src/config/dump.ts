/**
 * Writing a resolved config back out (MMEngine's `Config.dump` and `Config.diff`): as JSON, YAML or a TS config
 * module. Each dump loads again through `Config.fromFile` to the same data.
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { stringify } from 'yaml';
import { isPlainObject } from '../utils/values.js';

/** The formats `dumpConfig` writes. */
export type ConfigDumpFormat = 'json' | 'yaml' | 'ts';

/** Options of `diffConfigs`. */
export interface DiffConfigsOptions {
  /** Colour the diff with ANSI escapes (for a terminal). */
  color?: boolean;
  /** Names of the two sides in the diff header (default `a` and `b`), e.g. their file names. */
  labels?: readonly [string, string];
}

const MAX_INLINE_WIDTH = 100; // a list or dict this short stays on one line in TS dumps

/**
 * The config as text: JSON with 2-space indents, YAML, or a TS module
 * (`export default defineConfig({...})`, identifier keys unquoted). Keys keep their order.
 *
 * Non-finite numbers (`Infinity`, `NaN`) survive YAML and TS dumps only: JSON writes them as null.
 */
export function dumpConfig(data: Record<string, unknown>, format: ConfigDumpFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(data, null, 2)}\n`;
    case 'yaml':
      // No line folding (diffs stay line-per-value) and no anchors for repeated dicts (readers see every value).
      return stringify(data, { lineWidth: 0, aliasDuplicateObjects: false });
    case 'ts':
      return `import { defineConfig } from '@detlab/core';\n\nexport default defineConfig(${tsLiteral(data, '', true)});\n`;
  }
}

/**
 * A unified diff of the two configs' YAML dumps (`createTwoFilesPatch`), or an empty string when they are
 * equal. Keys of `b` are put in `a`'s order first, so configs that differ only in key order are equal.
 *
 * @example
 * diffConfigs(a.data, b.data, { labels: [a.filename, b.filename], color: process.stdout.isTTY });
 */
export function diffConfigs(a: Record<string, unknown>, b: Record<string, unknown>, options: DiffConfigsOptions = {}): string {
  const before = dumpConfig(a, 'yaml');
  const after = dumpConfig(inOrderOf(b, a) as Record<string, unknown>, 'yaml');
  if (before === after) return '';
  const [labelA, labelB] = options.labels ?? ['a', 'b'];
  const patch = createTwoFilesPatch(labelA, labelB, before, after, undefined, undefined, { headerOptions: FILE_HEADERS_ONLY });
  return options.color ? colorize(patch) : patch;
}

/** `value` with the keys of its dicts in `reference`'s order where `reference` has them, then the rest. */
function inOrderOf(value: unknown, reference: unknown): unknown {
  if (Array.isArray(value)) return value.map((item, i) => inOrderOf(item, Array.isArray(reference) ? reference[i] : undefined));
  if (!isPlainObject(value)) return value;
  const ref = isPlainObject(reference) ? reference : {};
  const keys = [...Object.keys(ref).filter((k) => Object.hasOwn(value, k)), ...Object.keys(value).filter((k) => !Object.hasOwn(ref, k))];
  return Object.fromEntries(keys.map((k) => [k, inOrderOf(value[k], ref[k])]));
}

const ANSI = { red: '\u001b[31m', green: '\u001b[32m', cyan: '\u001b[36m', bold: '\u001b[1m', reset: '\u001b[0m' };

function colorize(patch: string): string {
  return patch
    .split('\n')
    .map((line) => {
      if (line.startsWith('---') || line.startsWith('+++')) return `${ANSI.bold}${line}${ANSI.reset}`;
      if (line.startsWith('@@')) return `${ANSI.cyan}${line}${ANSI.reset}`;
      if (line.startsWith('+')) return `${ANSI.green}${line}${ANSI.reset}`;
      if (line.startsWith('-')) return `${ANSI.red}${line}${ANSI.reset}`;
      return line;
    })
    .join('\n');
}

/**
 * A TS expression for plain data: one line when it fits in `MAX_INLINE_WIDTH` columns, else one entry per line
 * with trailing commas. `indent` is the indent of the line the value starts on, `keyWidth` the key before it.
 */
function tsLiteral(value: unknown, indent: string, forceMultiline = false, keyWidth = 0): string {
  if (Array.isArray(value) || isPlainObject(value)) {
    const entries = Array.isArray(value)
      ? value.map((item) => ({ key: '', value: item }))
      : Object.entries(value).map(([key, item]) => ({ key: `${tsKey(key)}: `, value: item }));
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{ ', ' }'];
    if (entries.length === 0) return Array.isArray(value) ? '[]' : '{}';
    const inner = `${indent}  `;
    // Children are rendered once, at the inner indent, which suits both layouts.
    const items = entries.map((e) => `${e.key}${tsLiteral(e.value, inner, false, e.key.length)}`);
    const inline = `${open}${items.join(', ')}${close}`;
    // The line holds the indent, the key and a trailing comma besides the value.
    const width = indent.length + keyWidth + inline.length + 1;
    if (!forceMultiline && !inline.includes('\n') && width <= MAX_INLINE_WIDTH) return inline;
    const lines = items.map((item) => `${inner}${item},`);
    return `${open.trim()}\n${lines.join('\n')}\n${indent}${close.trim()}`;
  }
  if (typeof value === 'string') return tsString(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  return String(value); // boolean or null
}

/** An object key: bare when it is an identifier, else a quoted string. */
function tsKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : tsString(key);
}

/** A single-quoted string literal, from JSON's escaping (valid in JS) with the quote style swapped. */
function tsString(text: string): string {
  const body = JSON.stringify(text).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'");
  return `'${body}'`;
}
