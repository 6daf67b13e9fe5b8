/**
 * Placeholders in config files, as MMEngine's `Config._substitute_predefined_vars` and `_substitute_env_variables`:
 *
 * - `{{ fileDirname }}`, `{{ fileBasename }}`, `{{ fileBasenameNoExtension }}`, `{{ fileExtname }}`: the
 *   config file's folder, name, name without extension and extension (with its dot).
 * - `{{$VAR:default}}` or `{{ '$VAR:default' }}`: the environment variable `VAR`, or `default` when it is
 *   unset or empty. Without a default (`{{$VAR}}`), an unset variable is an error.
 *
 * Whitespace is allowed inside the braces. YAML and JSON files are substituted as text before parsing, as
 * MMEngine does; TS and JS configs are substituted value by value after loading.
 *
 * @example
 * // configs/exp.yaml
 * work_dir: '{{ fileDirname }}/../work_dirs/{{ fileBasenameNoExtension }}'
 * train_dataloader: { batch_size: {{$BATCH_SIZE:16}} }
 */
import { basename, dirname, extname } from 'node:path';
import { ConfigError, joinConfigPath } from '../errors.js';
import { isPlainObject } from '../utils/values.js';
import { parseScalar } from './parse-scalar.js';

/** Options of `substituteText` and `substituteValues`. */
export interface SubstituteOptions {
  /** The config file, for the predefined variables and for error messages. */
  file: string;
  /** The environment (default: `process.env`). */
  env?: NodeJS.ProcessEnv;
}

const PREDEFINED = /\{\{\s*(fileDirname|fileBasenameNoExtension|fileBasename|fileExtname)\s*\}\}/g;
// The quote, when there is one, must close with the same quote; the default is any run of non-blank characters.
const ENV = /\{\{\s*(['"]?)\s*\$(\w+)\s*(?::\s*(\S*?))?\s*\1\s*\}\}/g;
const WHOLE_ENV = new RegExp(`^${ENV.source}$`);

/** `text` with every predefined variable and environment placeholder replaced by its value, as text. */
export function substituteText(text: string, options: SubstituteOptions): string {
  const env = options.env ?? process.env;
  const predefined = predefinedVariables(options.file);
  return text
    .replace(PREDEFINED, (_match, name: string) => predefined[name])
    .replace(ENV, (_match, _quote: string, name: string, fallback: string | undefined) =>
      envValue(name, fallback, env, options.file),
    );
}

/**
 * A copy of a loaded config value with placeholders replaced in every string (keys are left alone).
 *
 * A string that is exactly one environment placeholder becomes a scalar, parsed as `--cfg-options` values are
 * (`'{{$EPOCHS:12}}'` gives the number 12); placeholders inside a longer string are interpolated as text.
 */
export function substituteValues<T>(value: T, options: SubstituteOptions): T {
  return substituteAt(value, '', options) as T;
}

function substituteAt(value: unknown, path: string, options: SubstituteOptions): unknown {
  if (typeof value === 'string') return substituteString(value, path, options);
  if (Array.isArray(value)) return value.map((item, i) => substituteAt(item, joinConfigPath(path, i), options));
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = substituteAt(item, joinConfigPath(path, key), options);
    return copy;
  }
  return value;
}

function substituteString(text: string, path: string, options: SubstituteOptions): unknown {
  if (!text.includes('{{')) return text;
  try {
    const whole = WHOLE_ENV.exec(text);
    if (whole) return parseScalar(envValue(whole[2], whole[3], options.env ?? process.env, options.file));
    return substituteText(text, options);
  } catch (error) {
    // Re-thrown with the config path, which only the value walk knows.
    if (error instanceof ConfigError && path) {
      throw new ConfigError(`${path}: ${error.message.split('\n')[0]}`, {
        file: options.file,
        configPath: path,
        hint: error.hint,
      });
    }
    throw error;
  }
}

function envValue(name: string, fallback: string | undefined, env: NodeJS.ProcessEnv, file: string): string {
  const value = env[name];
  // Empty counts as unset, as in MMEngine (and the shell's ${VAR:-default}).
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined && fallback !== '') return fallback;
  throw new ConfigError(`Environment variable ${name}, used in ${file}, is not set and has no default`, {
    file,
    hint: `Set ${name} in the environment, or give a default: {{$${name}:default}}.`,
  });
}

function predefinedVariables(file: string): Record<string, string> {
  const ext = extname(file);
  return {
    fileDirname: dirname(file),
    fileBasename: basename(file),
    fileBasenameNoExtension: basename(file, ext),
    fileExtname: ext,
  };
}
