/**
 * Which hooks a run gets: MMEngine's `Runner.register_default_hooks` and `register_custom_hooks`.
 *
 * The built-in defaults are merged with the config's `default_hooks` by key: a key's value replaces the default
 * of that key whole, `null` removes it, and a new key adds a hook. `custom_hooks` (a list) come after. Every hook
 * is then placed by priority (config `priority`, else the class default), stably.
 *
 * @example
 * buildHooks({ default_hooks: { timer: null, logger: { type: 'LoggerHook', interval: 5 } }, custom_hooks: [{ type: 'EMAHook' }] });
 */
import { ConfigError, HOOKS, describeValue, isPlainObject, joinConfigPath } from '@detlab/core';
import { Hook } from './hook.js';
import { HookList } from './hook-list.js';
import { getPriority, type Priority } from './priority.js';

/** A hook as a config gives it: a node built from HOOKS, or a hook object made in code. */
export type HookCfg = Hook | ({ type: unknown; priority?: Priority } & Record<string, unknown>);

/** The hooks every run has unless its config removes them, by `default_hooks` key (MMEngine's defaults). */
export const DEFAULT_HOOKS: Readonly<Record<string, HookCfg>> = {
  runtime_info: { type: 'RuntimeInfoHook' },
  timer: { type: 'IterTimerHook' },
  sampler_seed: { type: 'DistSamplerSeedHook' },
  logger: { type: 'LoggerHook' },
  param_scheduler: { type: 'ParamSchedulerHook' },
  checkpoint: { type: 'CheckpointHook', interval: 1 },
};

/** The parts of a config that name hooks. */
export interface HooksConfig {
  default_hooks?: Record<string, HookCfg | null> | null;
  custom_hooks?: readonly HookCfg[] | null;
}

/** The default hooks after merging `defaultHooks` over `DEFAULT_HOOKS` by key, in order, with config paths. */
export function mergeDefaultHooks(defaultHooks: HooksConfig['default_hooks']): Array<{ key: string; cfg: HookCfg }> {
  if (defaultHooks != null && !isPlainObject(defaultHooks)) {
    throw new ConfigError(`default_hooks: expected an object of hooks by key, got ${describeValue(defaultHooks)}`, {
      configPath: 'default_hooks',
    });
  }
  const merged: Record<string, HookCfg | null> = { ...DEFAULT_HOOKS, ...(defaultHooks ?? {}) };
  return Object.entries(merged).flatMap(([key, cfg]) => (cfg === null ? [] : [{ key, cfg }]));
}

/** Builds every default and custom hook of `config` into a `HookList`, sorted by priority. */
export function buildHooks(config: HooksConfig): HookList {
  const list = new HookList();
  for (const { key, cfg } of mergeDefaultHooks(config.default_hooks)) {
    registerHook(list, cfg, joinConfigPath('default_hooks', key));
  }
  const custom = config.custom_hooks ?? [];
  if (!Array.isArray(custom)) {
    throw new ConfigError(`custom_hooks: expected a list of hooks, got ${describeValue(custom)}`, { configPath: 'custom_hooks' });
  }
  custom.forEach((cfg, i) => registerHook(list, cfg, joinConfigPath('custom_hooks', i)));
  return list;
}

/**
 * Builds one hook (or takes a hook object as it is) and registers it. `priority` is taken out of the config
 * before building, so a hook class never has to pass it on: config priority wins over the class default.
 */
export function registerHook(list: HookList, cfg: HookCfg, path: string): Hook {
  if (cfg instanceof Hook) {
    list.register(cfg);
    return cfg;
  }
  if (!isPlainObject(cfg)) {
    throw new ConfigError(`${path}: expected a hook config with a "type" key, got ${describeValue(cfg)}`, { configPath: path });
  }
  const { priority, ...rest } = cfg;
  const hook = HOOKS.build<unknown>(rest, { path });
  if (!(hook instanceof Hook)) {
    throw new ConfigError(`${path}: '${String(cfg.type)}' built ${describeValue(hook)}, which does not extend Hook`, {
      configPath: path,
      hint: 'Hook classes extend Hook from @detlab/engine.',
    });
  }
  list.register(hook, priority === undefined ? undefined : getPriority(priority, joinConfigPath(path, 'priority')));
  return hook;
}
