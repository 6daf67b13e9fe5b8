/**
 * Which modules count as normalization layers for `paramwise_cfg.norm_decay_mult`, and whether a model has
 * batch norm (the OptimWrapper warns when it accumulates gradients over one).
 *
 * MMEngine tests `isinstance(module, (_BatchNorm, _InstanceNorm, GroupNorm, LayerNorm))`. detlab matches class
 * names along the prototype chain plus each class's `initLayerAliases`, the same names `init_cfg.layer` uses,
 * so a plugin's norm layer that declares `initLayerAliases = ['_BatchNorm']` counts without importing ours.
 *
 * @example
 * optim_wrapper: { optimizer: { type: 'SGD', lr: 0.01, weight_decay: 1e-4 }, paramwise_cfg: { norm_decay_mult: 0 } }
 */
import { Module } from '@detlab/tensor';

const NORM_NAMES: ReadonlySet<string> = new Set(['_BatchNorm', '_NormBase', '_InstanceNorm', 'BatchNorm2d', 'SyncBatchNorm', 'GroupNorm', 'LayerNorm']);
const BATCH_NORM_NAMES: ReadonlySet<string> = new Set(['_BatchNorm', 'BatchNorm2d', 'SyncBatchNorm']);

/**
 * Whether `module` is a normalization layer (batch, group, layer or instance norm).
 *
 * @example
 * isNormModule(new BatchNorm2d({ num_features: 8 })); // true
 */
export function isNormModule(module: Module): boolean {
  return classNames(module).some((n) => NORM_NAMES.has(n));
}

/**
 * Whether `model` or any descendant is a batch norm (MMEngine's `has_batch_norm`).
 *
 * @example
 * if (hasBatchNorm(model) && accumulativeCounts > 1) logger.warn('...');
 */
export function hasBatchNorm(model: Module): boolean {
  return model.namedModules().some(([, m]) => classNames(m).some((n) => BATCH_NORM_NAMES.has(n)));
}

function classNames(module: Module): string[] {
  const names: string[] = [];
  for (let ctor = module.constructor as typeof Module; ctor && ctor !== Module; ctor = Object.getPrototypeOf(ctor) as typeof Module) {
    names.push(ctor.name, ...ctor.initLayerAliases);
  }
  return names;
}
