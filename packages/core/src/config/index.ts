/**
 * Configs: loading (`Config.fromFile`, with `_base_` inheritance), merging, command-line overrides,
 * placeholders, finding configs by name, custom imports, dumping and diffing. Mirrors MMEngine's
 * `mmengine/config`.
 */
export { Config, type ConfigFromFileOptions } from './config.js';
export { defineConfig, type DetlabConfigInput } from './define-config.js';
export { mergeConfig, type MergeOptions } from './merge.js';
export { parseCfgOptions, applyCfgOptions } from './cfg-options.js';
export { substituteText, substituteValues, type SubstituteOptions } from './env-vars.js';
export { loadConfigFile, CONFIG_EXTENSIONS, type LoadConfigFileOptions } from './load-file.js';
export { findConfig, type FindConfigOptions } from './find-config.js';
export { importCustomModules, checkCoreRange, coreVersion, type ImportCustomModulesOptions } from './custom-imports.js';
export { dumpConfig, diffConfigs, type ConfigDumpFormat, type DiffConfigsOptions } from './dump.js';
export { registerConfigForm, unregisterConfigForm, resolveConfigForms, normalizeConfig, type ConfigForm, type NormalizedConfig } from './config-forms.js';
