/**
 * Turns zod issues into detlab's messages: the config path, what was expected and what was found.
 *
 * zod's own texts ("Invalid input") say neither the found value nor the keys that would have been accepted;
 * detlab messages do: `model.backbone.depth: expected one of 18, 34, 50, 101, 152, got 42`.
 */
import type { ZodType } from 'zod';
import type { core } from 'zod';
import { ConfigValidationError, joinConfigPath, type ValidationIssue } from '../errors.js';
import { didYouMean } from '../utils/did-you-mean.js';
import { describeValue } from '../utils/values.js';

/** A formatted finding whose path is still relative to the schema that produced it. */
export interface RelativeIssue {
  path: PropertyKey[];
  message: string;
}

/**
 * Parses `options` with `schema` (applying its defaults) or throws a `ConfigValidationError` listing every
 * problem, each with its path below `basePath`.
 */
export function parseOptions(schema: ZodType, options: unknown, basePath: string): unknown {
  const result = schema.safeParse(options, { reportInput: true });
  if (result.success) return result.data;
  const issues: ValidationIssue[] = formatZodIssues(result.error.issues, schema).map((i) => ({
    path: joinConfigPath(basePath, ...i.path.map(String)),
    message: i.message,
  }));
  throw new ConfigValidationError(issues, { configPath: basePath });
}

/** Formats raw zod issues; `schema` is the one that was parsed, used to suggest known keys. */
export function formatZodIssues(issues: readonly core.$ZodIssue[], schema: ZodType): RelativeIssue[] {
  return issues.flatMap((issue) => formatIssue(issue, schema));
}

/** Renders a path array as `a.b.0.c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return joinConfigPath(...path.map(String));
}

function formatIssue(issue: core.$ZodIssue, schema: ZodType): RelativeIssue[] {
  const path = [...issue.path];
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      return [{ path, message: input === undefined ? `required: expected ${issue.expected}` : `expected ${issue.expected}, got ${describeValue(input)}` }];
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, path);
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key.${didYouMean(key, known)}${knownKeysNote(known)}` }));
    }
    case 'invalid_value':
      return [{ path, message: input === undefined ? `required: expected ${oneOf(issue.values)}` : `expected ${oneOf(issue.values)}, got ${describeValue(input)}` }];
    case 'too_small':
      return [{ path, message: `expected ${bound(issue.origin, issue.inclusive ? '>=' : '>', issue.minimum)}, got ${describeSize(issue.origin, input)}` }];
    case 'too_big':
      return [{ path, message: `expected ${bound(issue.origin, issue.inclusive ? '<=' : '<', issue.maximum)}, got ${describeSize(issue.origin, input)}` }];
    case 'invalid_union':
      return [{ path, message: `does not match any allowed form, got ${describeValue(input)}` }];
    case 'not_multiple_of':
      return [{ path, message: `expected a multiple of ${String(issue.divisor)}, got ${describeValue(input)}` }];
    case 'invalid_format':
      return [{ path, message: `expected a ${issue.format} string, got ${describeValue(input)}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
  return shown.length === 1 ? shown[0] : `one of ${shown.join(', ')}`;
}

function bound(origin: string, op: string, limit: unknown): string {
  const n = String(limit);
  if (origin === 'array' || origin === 'set') return `${op} ${n} items`;
  if (origin === 'string') return `${op} ${n} characters`;
  return `${op} ${n}`;
}

function describeSize(origin: string, input: unknown): string {
  if ((origin === 'array' && Array.isArray(input)) || (origin === 'string' && typeof input === 'string')) {
    return `${input.length} (${describeValue(input)})`;
  }
  return describeValue(input);
}

function knownKeysNote(known: string[]): string {
  return known.length > 0 && known.length <= 20 ? ` Known keys: ${known.join(', ')}.` : '';
}

/** The keys an object schema at `path` accepts (best effort through optional, default, array and union). */
export function knownKeysAt(schema: ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  for (const segment of path) {
    node = unwrap(node);
    const def = defOf(node);
    if (def?.type === 'object') node = (def.shape as Record<string, unknown>)[String(segment)];
    else if (def?.type === 'array') node = def.element;
    else if (def?.type === 'record') node = def.valueType;
    else return [];
  }
  const def = defOf(unwrap(node));
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}

interface LooseDef {
  type: string;
  innerType?: unknown;
  shape?: unknown;
  element?: unknown;
  valueType?: unknown;
  in?: unknown;
}

function defOf(schema: unknown): LooseDef | undefined {
  return (schema as { _zod?: { def?: LooseDef } } | undefined)?._zod?.def;
}

/** Strips wrappers that do not change the shape: optional, nullable, default, catch, readonly, pipe input. */
function unwrap(schema: unknown): unknown {
  let node = schema;
  for (;;) {
    const def = defOf(node);
    if (!def) return node;
    if (def.innerType !== undefined) node = def.innerType;
    else if (def.type === 'pipe' && def.in !== undefined) node = def.in;
    else return node;
  }
}
