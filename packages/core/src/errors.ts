/**
 * Typed errors for mistakes a user can fix.
 *
 * Every message says what was expected, what was found and where (a file, a config path, a registry and its
 * scope), then the fix when there is one. The trainer prints `message` alone for a `DetlabError` and exits
 * non-zero; stack traces are shown only with `--debug`. Wrapped errors keep the original as `cause`.
 */

/** Options shared by every detlab error. */
export interface DetlabErrorOptions {
  /** What the user can do about it; appended to the message on its own line. */
  hint?: string;
  /** The error this one wraps. */
  cause?: unknown;
}

/** Base class of all errors a user can fix without reading a stack trace. */
export class DetlabError extends Error {
  /** The suggested fix, also part of `message`. */
  readonly hint?: string;

  constructor(message: string, options: DetlabErrorOptions = {}) {
    super(options.hint ? `${message}\n  ${options.hint}` : message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** Options of a `ConfigError`: where in which file the problem is. */
export interface ConfigErrorOptions extends DetlabErrorOptions {
  /** The config file, when known. */
  file?: string;
  /** The dotted config path, e.g. `model.neck.type`. */
  configPath?: string;
}

/** A problem with a config file, a config value or a command-line override. */
export class ConfigError extends DetlabError {
  readonly file?: string;
  readonly configPath?: string;

  constructor(message: string, options: ConfigErrorOptions = {}) {
    super(message, options);
    this.file = options.file;
    this.configPath = options.configPath;
  }
}

/** One finding of config validation. */
export interface ValidationIssue {
  /** Dotted config path of the offending value (`model.backbone.depth`); empty for the root. */
  path: string;
  /** What is wrong, with the expected and the found value. */
  message: string;
}

/** Every problem validation found in a config, reported at once. */
export class ConfigValidationError extends ConfigError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options: ConfigErrorOptions = {}) {
    const where = options.file ? ` in ${options.file}` : '';
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    const lines = issues.map((issue) => `  - ${issue.path || '(root)'}: ${issue.message}`);
    super(`Config validation found ${count}${where}:\n${lines.join('\n')}`, options);
    this.issues = issues;
  }
}

/** A registry lookup or registration failed. */
export class RegistryError extends DetlabError {}

/** Joins path segments into the dotted form used in messages (`a.b.0.c`); empty parts are skipped. */
export function joinConfigPath(...parts: ReadonlyArray<string | number | undefined>): string {
  return parts.filter((p) => p !== undefined && p !== '').join('.');
}
