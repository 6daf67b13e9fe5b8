/**
 * Config forms: shorthands a package accepts in configs and rewrites into the canonical config that the
 * registries build. Distillation uses one: MMDetection KD write-ups put `teacher` inside the student's `model`
 * node and the KD loss at the top level; the canonical form is `model: {type: 'SingleTeacherDistill', ...}`.
 *
 * A form has up to two steps:
 * - `resolve` (async) runs when `Config.fromFile` has merged the bases and applied cfg-options: it may replace
 *   references to other files (a teacher given as a config name) by their content, so the config is complete.
 * - `normalize` (sync) maps a config written in the form to the canonical config, with `pathBack` turning a
 *   canonical config path into the one the user wrote (`model.architecture.backbone.depth` → `model.backbone.depth`),
 *   so validation errors name the user's keys. Validation (`validateConfig`) and the runner build the canonical
 *   config; the written one stays what `print-config` shows and checkpoints record.
 *
 * @example
 * registerConfigForm({
 *   name: 'short KD',
 *   normalize: (cfg) => (isShortKd(cfg) ? { config: toCanonical(cfg), pathBack: (p) => p.replace('model.architecture.', 'model.') } : undefined),
 * });
 * const { config } = normalizeConfig(loaded.data); // what the runner builds
 */
import { ConfigError } from '../errors.js';

/** What `normalize` returns for a config written in its form. */
export interface NormalizedConfig {
  /** The canonical config (a new object; the written one is not changed). */
  config: Record<string, unknown>;
  /** The written config path for a path of the canonical config. */
  pathBack: (path: string) => string;
}

/** A config shorthand; see the file comment. */
export interface ConfigForm {
  /** Named in errors. */
  name: string;
  /** Completes a freshly loaded config in place (e.g. loads files it names); `filename` is the config's file. */
  resolve?: (data: Record<string, unknown>, context: { filename: string }) => Promise<void> | void;
  /** The canonical config when `config` is written in this form; undefined when it is not. */
  normalize?: (config: Record<string, unknown>) => NormalizedConfig | undefined;
}

const forms = new Map<string, ConfigForm>();

/** Adds (or, under the same name, replaces) a config form. */
export function registerConfigForm(form: ConfigForm): void {
  forms.set(form.name, form);
}

/** Removes the form registered under `name`; true when there was one. */
export function unregisterConfigForm(name: string): boolean {
  return forms.delete(name);
}

/** Runs every form's `resolve` on `data` (in place); `Config.fromFile` calls it. */
export async function resolveConfigForms(data: Record<string, unknown>, filename: string): Promise<void> {
  for (const form of forms.values()) await form.resolve?.(data, { filename });
}

/**
 * The canonical config of `config` (itself when no form applies) and the map from canonical paths back to
 * written ones. Forms apply one after the other, each to the previous one's result.
 */
export function normalizeConfig(config: Record<string, unknown>): NormalizedConfig {
  let current: NormalizedConfig = { config, pathBack: (path) => path };
  for (const form of forms.values()) {
    let next: NormalizedConfig | undefined;
    try {
      next = form.normalize?.(current.config);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`the '${form.name}' config form could not rewrite this config: ${(error as Error).message}`, { cause: error });
    }
    if (!next) continue;
    const outer = current.pathBack;
    const inner = next.pathBack;
    current = { config: next.config, pathBack: (path) => outer(inner(path)) };
  }
  return current;
}
