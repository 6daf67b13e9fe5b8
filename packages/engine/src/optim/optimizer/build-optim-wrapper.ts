/**
 * `buildOptimWrapper(model, cfg)`: the optim wrapper a config's `optim_wrapper` describes; mirrors MMEngine's
 * `build_optim_wrapper` (`mmengine/optim/optimizer/builder.py`).
 *
 * `constructor` (default 'DefaultOptimWrapperConstructor') and `paramwise_cfg` are taken out of the config;
 * the constructor, built from OPTIM_WRAPPER_CONSTRUCTORS with the rest, builds the optimizer over the model's
 * parameters and then the wrapper.
 *
 * @example
 * const optimWrapper = buildOptimWrapper(model, { optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 } });
 */
import { ConfigError, OPTIM_WRAPPER_CONSTRUCTORS, describeValue, isPlainObject, joinConfigPath } from '@detlab/core';
import type { Module } from '@detlab/tensor';
// The default constructor must be registered whenever this builder is used.
import './default-constructor.js';
import type { OptimWrapper } from './optim-wrapper.js';

/**
 * What an optim wrapper constructor registered in OPTIM_WRAPPER_CONSTRUCTORS provides.
 *
 * @example
 * optim_wrapper: { constructor: 'myplugin.LayerDecayConstructor', optimizer: { type: 'AdamW', lr: 1e-4 } }
 */
export interface OptimWrapperConstructor {
  build(model: Module, path?: string): OptimWrapper;
}

/**
 * Builds the optim wrapper for `model` from the `optim_wrapper` config; `path` names it in errors.
 *
 * @example
 * buildOptimWrapper(model, { type: 'OptimWrapper', optimizer: { type: 'AdamW', lr: 1e-4 }, clip_grad: { max_norm: 1 } });
 */
export function buildOptimWrapper(model: Module, cfg: unknown, { path = 'optim_wrapper' }: { path?: string } = {}): OptimWrapper {
  if (!isPlainObject(cfg)) {
    throw new ConfigError(`${path}: expected an object such as { optimizer: { type: 'SGD', lr: 0.01 } }, got ${describeValue(cfg)}`, { configPath: path });
  }
  if (!isPlainObject(cfg.optimizer)) {
    throw new ConfigError(`${path}.optimizer: expected an optimizer config such as { type: 'SGD', lr: 0.01 }, got ${describeValue(cfg.optimizer)}`, {
      configPath: `${path}.optimizer`,
    });
  }
  const { constructor, paramwise_cfg, optimWrapperCfg } = splitOptimWrapperCfg(cfg);
  const constructorPath = joinConfigPath(path, 'constructor');
  if (typeof constructor !== 'string') {
    throw new ConfigError(`${constructorPath}: expected the name of a registered constructor, got ${describeValue(constructor)}`, { configPath: constructorPath });
  }
  // Resolved here so an unknown name is reported at optim_wrapper.constructor, not at a 'type' key.
  const { target } = OPTIM_WRAPPER_CONSTRUCTORS.resolve(constructor, constructorPath);
  const builder = OPTIM_WRAPPER_CONSTRUCTORS.build<OptimWrapperConstructor>({ type: target, optim_wrapper_cfg: optimWrapperCfg, paramwise_cfg }, { path });
  return builder.build(model, path);
}

/**
 * Separates the keys the constructor consumes from the wrapper's own, as MMEngine pops them.
 *
 * @example
 * splitOptimWrapperCfg({ optimizer: { type: 'SGD' }, paramwise_cfg: { norm_decay_mult: 0 } }).constructor; // 'DefaultOptimWrapperConstructor'
 */
export function splitOptimWrapperCfg(cfg: Record<string, unknown>): {
  constructor: unknown;
  paramwise_cfg: unknown;
  optimWrapperCfg: Record<string, unknown>;
} {
  // `constructor` is read as an own key: every object inherits one (Object), which must not count as set.
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cfg)) if (k !== 'constructor' && k !== 'paramwise_cfg') rest[k] = v;
  return {
    constructor: Object.hasOwn(cfg, 'constructor') ? cfg.constructor : 'DefaultOptimWrapperConstructor',
    paramwise_cfg: cfg.paramwise_cfg,
    optimWrapperCfg: rest,
  };
}
