/**
 * Matching a checkpoint's tensors to a model's parameters by name, as PyTorch's `load_state_dict` and MMEngine's
 * `load_checkpoint` do: missing keys, unexpected keys and shape mismatches are found first, then either all
 * reported in one error (strict) or skipped and returned (non-strict). A `prefix` loads one part of a bigger
 * checkpoint, like MMEngine's `Pretrained` init with `prefix='backbone.'`.
 *
 * This works on plain maps and callbacks, not on the Module class, so the Module only has to supply its
 * parameter shapes, their kinds and a way to copy a value in.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './checkpoint-error.js';
import { loadCheckpoint, type LoadCheckpointOptions } from './checkpoint-io.js';
import { guessKind, toTorchShape, type KindOf } from './layout.js';

/** What a checkpoint is loaded into. `T` is the value type of the state (a `tf.Tensor` in practice). */
export interface StateDictTarget<T extends { shape: readonly number[] } = tf.Tensor> {
  /** The shape (detlab layout) of every parameter and buffer the target has, by name. */
  shapes: ReadonlyMap<string, readonly number[]>;
  /** The kind of each parameter by target name; used to convert PyTorch-layout files and to explain mismatches. */
  kinds?: KindOf;
  /**
   * Puts one checked value into the target. It must not rely on the value staying alive: the caller disposes the
   * state afterwards (`tf.Variable.assign` is fine, it shares the data under a reference count).
   */
  assign?: (name: string, value: T) => void;
}

/** Options of `loadStateDictInto`. */
export interface LoadStateDictOptions {
  /** Throw on any missing key, unexpected key or shape mismatch, assigning nothing (default true). */
  strict?: boolean;
  /** Load only the checkpoint keys under this prefix, with the prefix removed (`backbone` or `backbone.`). */
  prefix?: string;
  /** The checkpoint file, named in errors. */
  file?: string;
}

/** A checkpoint tensor whose shape differs from the target's. */
export interface ShapeMismatch {
  /** The target name (prefix removed). */
  name: string;
  /** The target's shape. */
  expected: number[];
  /** The checkpoint's shape. */
  found: number[];
}

/** What loading did and what it skipped. */
export interface LoadStateDictReport {
  /** Target names that were assigned. */
  loaded: string[];
  /** Target names the checkpoint has no value for. */
  missingKeys: string[];
  /** Checkpoint names (prefix removed) the target does not have. */
  unexpectedKeys: string[];
  /** Names both have, with different shapes; not assigned. */
  shapeMismatches: ShapeMismatch[];
}

/**
 * Loads `state` into `target` by name. In strict mode (the default) any missing key, unexpected key or shape
 * mismatch throws one `CheckpointError` that lists them all, and nothing is assigned; otherwise the matching
 * values are assigned and the rest reported. `state` is neither changed nor disposed.
 *
 * @example
 * const report = loadStateDictInto({ shapes, assign: (name, value) => params.get(name)!.assign(value) }, state, {
 *   prefix: 'backbone.',
 *   strict: false,
 * });
 */
export function loadStateDictInto<T extends { shape: readonly number[] }>(
  target: StateDictTarget<T>,
  state: ReadonlyMap<string, T>,
  options: LoadStateDictOptions = {},
): LoadStateDictReport {
  const { strict = true, file } = options;
  const prefix = normalizePrefix(options.prefix);
  const values = new Map<string, T>();
  for (const [key, value] of state) {
    const name = stripPrefix(key, prefix);
    if (name !== undefined) values.set(name, value);
  }
  checkPrefixMatched(prefix, values.size, state.keys(), file);

  const report: LoadStateDictReport = { loaded: [], missingKeys: [], unexpectedKeys: [], shapeMismatches: [] };
  const matched: Array<[string, T]> = [];
  for (const [name, expected] of target.shapes) {
    const value = values.get(name);
    if (value === undefined) report.missingKeys.push(name);
    else if (!sameShape(expected, value.shape)) {
      report.shapeMismatches.push({ name, expected: [...expected], found: [...value.shape] });
    } else matched.push([name, value]);
  }
  for (const name of values.keys()) if (!target.shapes.has(name)) report.unexpectedKeys.push(name);

  const problems = report.missingKeys.length + report.unexpectedKeys.length + report.shapeMismatches.length;
  if (strict && problems > 0) {
    throw new CheckpointError(describeProblems(report, prefix, target.kinds), {
      file,
      hint: 'Pass strict: false to load the matching keys and skip the rest.',
    });
  }
  for (const [name, value] of matched) {
    target.assign?.(name, value);
    report.loaded.push(name);
  }
  return report;
}

/** Options of `loadCheckpointInto`. */
export interface LoadCheckpointIntoOptions extends LoadStateDictOptions {
  /** Where to read from; the local file system by default. */
  fileAccess?: LoadCheckpointOptions['fileAccess'];
}

/**
 * Reads a checkpoint file and loads it into `target` (see `loadStateDictInto`), converting PyTorch layout with
 * `target.kinds`. Only the keys under `prefix` become tensors, and every tensor read is disposed before this
 * returns, so `assign` must copy.
 *
 * @example
 * await loadCheckpointInto('detector.safetensors', backboneTarget, { prefix: 'backbone.' });
 */
export async function loadCheckpointInto(
  path: string,
  target: StateDictTarget,
  options: LoadCheckpointIntoOptions = {},
): Promise<{ report: LoadStateDictReport; metadata: Record<string, unknown> }> {
  const prefix = normalizePrefix(options.prefix);
  const file = options.file ?? path;
  const allKeys: string[] = [];
  const { state, metadata } = await loadCheckpoint(path, {
    fileAccess: options.fileAccess,
    filter: (key) => {
      allKeys.push(key);
      return stripPrefix(key, prefix) !== undefined;
    },
    kinds: (key) => target.kinds?.(stripPrefix(key, prefix)!),
  });
  try {
    checkPrefixMatched(prefix, state.size, allKeys, file);
    const report = loadStateDictInto(target, state, { ...options, prefix, file });
    return { report, metadata };
  } finally {
    for (const tensor of state.values()) tensor.dispose();
  }
}

/** MMEngine's rule: a prefix names a module, so `backbone` means `backbone.`. */
function normalizePrefix(prefix: string | undefined): string {
  return !prefix || prefix.endsWith('.') ? (prefix ?? '') : `${prefix}.`;
}

/** The target name of a checkpoint key, or `undefined` when the key lies outside the prefix. */
function stripPrefix(key: string, prefix: string): string | undefined {
  return key.startsWith(prefix) ? key.slice(prefix.length) : undefined;
}

/** A prefix that selects nothing is a typo, not an empty model: say which prefixes the checkpoint has. */
function checkPrefixMatched(prefix: string, matched: number, keys: Iterable<string>, file: string | undefined): void {
  if (!prefix || matched > 0) return;
  throw new CheckpointError(`no checkpoint key starts with the prefix '${prefix}'`, {
    file,
    hint: `The checkpoint's top-level prefixes are: ${topLevelPrefixes(keys)}.`,
  });
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, axis) => size === b[axis]);
}

/** The one message of a strict failure: counts, then every key by category. */
function describeProblems(report: LoadStateDictReport, prefix: string, kinds: KindOf | undefined): string {
  const counts = [
    plural(report.missingKeys.length, 'missing key'),
    plural(report.unexpectedKeys.length, 'unexpected key'),
    plural(report.shapeMismatches.length, 'shape mismatch', 'shape mismatches'),
  ].filter((text) => !text.startsWith('0 '));
  const under = prefix ? ` (keys under '${prefix}')` : '';
  const lines = [`checkpoint does not match the model${under}: ${counts.join(', ')}`];
  for (const name of report.missingKeys) lines.push(`  missing in checkpoint: ${name}`);
  for (const name of report.unexpectedKeys) lines.push(`  unexpected in checkpoint: ${name}`);
  for (const { name, expected, found } of report.shapeMismatches) {
    const kind = kinds?.(name) ?? guessKind(expected);
    // A tensor in PyTorch layout where detlab layout was expected means the file's layout metadata is wrong.
    const torchLike = kind !== 'other' && expected.length > 1 && sameShape(safeTorchShape(kind, expected), found);
    const note = torchLike
      ? ' (the PyTorch layout of the expected shape: is the file marked detlab.layout=nhwc by mistake?)'
      : '';
    lines.push(
      `  shape mismatch: ${name}: model expects [${expected.join(', ')}], checkpoint has [${found.join(', ')}]${note}`,
    );
  }
  return lines.join('\n');
}

/** `toTorchShape`, or `[]` when the kind cannot apply to that rank. */
function safeTorchShape(kind: Parameters<typeof toTorchShape>[0], shape: readonly number[]): number[] {
  try {
    return toTorchShape(kind, shape);
  } catch {
    return [];
  }
}

/** The distinct first name segments, for the "no key under this prefix" hint. */
function topLevelPrefixes(keys: Iterable<string>): string {
  const firsts = new Set<string>();
  for (const key of keys) firsts.add(`${key.split('.')[0]}.`);
  return firsts.size === 0 ? '(none: the checkpoint is empty)' : [...firsts].sort().slice(0, 20).join(', ');
}

function plural(count: number, singular: string, many = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : many}`;
}
