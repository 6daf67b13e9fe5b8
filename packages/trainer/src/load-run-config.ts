/**
 * The first steps of every command: find the config, resolve its `_base_` chain and cfg-options, import its
 * `custom_imports`, then validate the whole of it before anything is built.
 */
import { existsSync } from 'node:fs';
import { Config, ConfigError, assertValidConfig, findConfig, importCustomModules, type Logger } from '@detlab/core';
import { configRoots, userPath } from './workspace.js';

/** Options of `loadRunConfig`. */
export interface LoadRunConfigOptions {
  /** A config name (`atss_kd`, searched under `configs/`) or a path. */
  config: string | undefined;
  cfgOptions?: readonly string[];
  /** Validate against the registered classes' schemas (default true). */
  validate?: boolean;
  logger?: Logger;
}

/** Loads, completes and (by default) validates a run's config; every mistake is a `ConfigError`. */
export async function loadRunConfig(options: LoadRunConfigOptions): Promise<Config> {
  if (!options.config) {
    throw new ConfigError('No config given', { hint: 'Pass --config=NAME (a file under configs/) or --config=PATH.' });
  }
  const asPath = userPath(options.config);
  const file = existsSync(asPath) ? asPath : findConfig(options.config, { roots: configRoots() });
  const config = await Config.fromFile(file, { cfgOptions: [...(options.cfgOptions ?? [])] });
  await importCustomModules(config.data, { configFile: config.filename, warn: (m) => options.logger?.warn(m) });
  if (options.validate ?? true) assertValidConfig(config.data, config.filename);
  return config;
}
