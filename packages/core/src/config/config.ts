/**
 * `Config`: a resolved config, as MMEngine's `Config` (mmengine/config/config.py): `_base_` inheritance,
 * `{{_base_.x}}` references, environment placeholders and `--cfg-options`, in that order.
 *
 * @example
 * const cfg = await Config.fromFile('configs/atss/atss_r50_fpn_1x.ts', { cfgOptions: ['train_cfg.max_epochs=24'] });
 * cfg.get('model.backbone.depth'); // 50
 */
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { describeValue, isPlainObject } from '../utils/values.js';
import { resolveBaseRefs } from './base-refs.js';
import { resolveBasePath, withScope } from './base-path.js';
import { applyCfgOptions, setDottedKey } from './cfg-options.js';
import { resolveConfigForms } from './config-forms.js';
import { loadConfigFile } from './load-file.js';
import { mergeConfig } from './merge.js';

/** Options of `Config.fromFile`. */
export interface ConfigFromFileOptions {
  /** `--cfg-options` overrides (`a.b.0.c=value`), applied in order after inheritance. */
  cfgOptions?: readonly string[];
  /** The environment for `{{$VAR}}` placeholders (default: `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** A resolved config: plain data plus the file it came from. */
export class Config {
  /** The resolved config: plain data, `_base_` removed, every base merged in. */
  readonly data: Record<string, unknown>;
  /** Absolute path of the config file; empty for a config built by `fromObject` without a name. */
  readonly filename: string;

  private constructor(data: Record<string, unknown>, filename: string) {
    this.data = data;
    this.filename = filename;
  }

  /**
   * Loads a config file and everything it inherits.
   *
   * Each `_base_` (a path or a list, relative to the file's folder, or `pkg::path`) loads recursively; sibling
   * bases must not share top-level keys; then the file is merged into the merged bases (`mergeConfig`).
   * `{{_base_.a.b}}` string values are replaced by that value of the merged bases first. Files may not
   * inherit in a cycle. `cfgOptions` are applied last; then the registered config forms complete the config
   * (`resolveConfigForms`: a teacher named by its config file is loaded, for instance).
   */
  static async fromFile(file: string, options: ConfigFromFileOptions = {}): Promise<Config> {
    const filename = resolve(file);
    const loaded = await loadResolved(filename, [], options.env);
    const data = options.cfgOptions?.length ? applyCfgOptions(loaded, options.cfgOptions) : loaded;
    await resolveConfigForms(data, filename);
    return new Config(data, filename);
  }

  /** A config from plain data already in memory (copied); `filename` is made absolute when given. */
  static fromObject(obj: Record<string, unknown>, filename?: string): Config {
    if (isPlainObject(obj) && '_base_' in obj) {
      throw new ConfigError('Config.fromObject does not resolve _base_', {
        file: filename,
        configPath: '_base_',
        hint: 'Load the file with Config.fromFile, or merge the bases yourself with mergeConfig.',
      });
    }
    return new Config(mergeConfig({}, obj), filename ? resolve(filename) : '');
  }

  /**
   * The value at a dotted path (`model.backbone.depth`; digit segments index lists), or undefined when
   * there is none. The value is the config's own, not a copy.
   */
  get(path: string): unknown {
    let node: unknown = this.data;
    for (const segment of path === '' ? [] : path.split('.')) {
      if (Array.isArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)];
      else if (isPlainObject(node) && Object.hasOwn(node, segment)) node = node[segment];
      else return undefined;
    }
    return node;
  }

  /**
   * A new config with `options` merged in, as MMEngine's `merge_from_dict`: keys may be dotted
   * (`{'model.backbone.depth': 101}`), digit segments address list elements, and keys apply in order.
   */
  merge(options: Record<string, unknown>): Config {
    let data = this.data;
    for (const [key, value] of Object.entries(options)) {
      const nested: Record<string, unknown> = {};
      setDottedKey(nested, key, value);
      data = mergeConfig(data, nested, { allowListKeys: true });
    }
    return new Config(data === this.data ? mergeConfig({}, data) : data, this.filename);
  }

  /** A deep copy of the data; `JSON.stringify(config)` writes the resolved config. */
  toJSON(): Record<string, unknown> {
    return structuredClone(this.data);
  }
}

/** The config in `file` with its bases resolved; `chain` holds the files that inherit from it, outermost first. */
async function loadResolved(file: string, chain: readonly string[], env: NodeJS.ProcessEnv | undefined): Promise<Record<string, unknown>> {
  if (chain.includes(file)) {
    throw new ConfigError(`Config files inherit from each other in a cycle: ${[...chain, file].join(' -> ')}`, {
      file,
      configPath: '_base_',
      hint: 'Remove one of these _base_ entries.',
    });
  }
  const { _base_: baseEntry, ...own } = await loadConfigFile(file, { importedBy: chain.at(-1), env });
  const bases: Array<{ file: string; data: Record<string, unknown> }> = [];
  for (const spec of baseSpecs(baseEntry, file)) {
    const base = resolveBasePath(spec, file);
    const data = await loadResolved(base.file, [...chain, file], env);
    bases.push({ file: base.file, data: base.scope ? (withScope(data, base.scope) as Record<string, unknown>) : data });
  }
  checkSiblingKeys(bases, file);
  // Sibling bases share no key, so merging them is a plain union (MMEngine's `base_cfg_dict.update`).
  const merged = bases.length > 0 ? (Object.assign({}, ...bases.map((b) => b.data)) as Record<string, unknown>) : undefined;
  const child = resolveBaseRefs(own, merged, file) as Record<string, unknown>;
  try {
    return mergeConfig(merged ?? {}, child);
  } catch (error) {
    throw inFile(error, file);
  }
}

/** A merge error (which knows the config path but not the file) with the child file added. */
function inFile(error: unknown, file: string): unknown {
  if (!(error instanceof ConfigError) || error.file) return error;
  const message = error.hint ? error.message.slice(0, -`\n  ${error.hint}`.length) : error.message;
  return new ConfigError(`${message} (in ${file})`, { file, configPath: error.configPath, hint: error.hint, cause: error });
}

function baseSpecs(entry: unknown, file: string): string[] {
  if (entry === undefined) return [];
  if (typeof entry === 'string') return [entry];
  if (Array.isArray(entry) && entry.every((item) => typeof item === 'string')) return entry as string[];
  throw new ConfigError(`_base_ in ${file}: expected a path or a list of paths, got ${describeValue(entry)}`, {
    file,
    configPath: '_base_',
  });
}

/** Throws when two bases of `file` set the same top-level key: which one should win is not obvious. */
function checkSiblingKeys(bases: ReadonlyArray<{ file: string; data: Record<string, unknown> }>, file: string): void {
  for (let i = 0; i < bases.length; i++) {
    for (let j = i + 1; j < bases.length; j++) {
      const shared = Object.keys(bases[i].data).filter((key) => Object.hasOwn(bases[j].data, key));
      if (shared.length === 0) continue;
      throw new ConfigError(
        `Bases ${bases[i].file} and ${bases[j].file} of ${file} both set ${shared.map((k) => `'${k}'`).join(', ')}`,
        {
          file,
          configPath: '_base_',
          hint: 'Sibling bases must not share top-level keys: keep each key in one base, and override it in the child.',
        },
      );
    }
  }
}
