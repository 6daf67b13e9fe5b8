/**
 * Optimizers, the optim wrapper, paramwise_cfg, auto_scale_lr and parameter schedulers (issue 6).
 *
 * Importing this module registers SGD, Adam, AdamW (OPTIMIZERS), OptimWrapper (OPTIM_WRAPPERS),
 * DefaultOptimWrapperConstructor (OPTIM_WRAPPER_CONSTRUCTORS), LinearLR, MultiStepLR, CosineAnnealingLR and
 * ConstantLR (PARAM_SCHEDULERS), and the config keys `optim_wrapper` and `auto_scale_lr`.
 *
 * @example
 * const optimWrapper = buildOptimWrapper(model, cfg.optim_wrapper);
 * const schedulers = buildSchedulers(cfg.param_scheduler, optimWrapper, { epochLength: 100, maxEpochs: 12 });
 */
export {
  moduleParams,
  type OptimParam,
  type HyperValue,
  type Hyper,
  type ParamGroup,
  type OptimizerParams,
  type ParamGroupsOwner,
} from './optimizer/param-group.js';
export { Optimizer, stateKey, type ParamState, type OptimizerState, type OptimizerStateMeta, type LoadOptimizerReport } from './optimizer/optimizer.js';
export { SGD, sgdSchema, type SGDOptions } from './optimizer/sgd.js';
export { Adam, adamSchema, type AdamOptions } from './optimizer/adam.js';
export { AdamW, adamwSchema, type AdamWOptions } from './optimizer/adamw.js';
export { clipGradNorm, clipGradValue, clipGradSchema, type ClipGradCfg } from './optimizer/clip-grad.js';
export { OptimWrapper, optimWrapperSchema, type OptimWrapperOptions, type LossFn, type UpdateResult } from './optimizer/optim-wrapper.js';
export { paramwiseGroups, paramwiseCfgSchema, type ParamwiseCfg } from './optimizer/paramwise.js';
export { isNormModule, hasBatchNorm } from './optimizer/module-kinds.js';
export {
  DefaultOptimWrapperConstructor,
  defaultOptimWrapperConstructorSchema,
  type DefaultOptimWrapperConstructorOptions,
} from './optimizer/default-constructor.js';
export { buildOptimWrapper, type OptimWrapperConstructor } from './optimizer/build-optim-wrapper.js';
export { scaleLr, autoScaleLrSchema, type AutoScaleLrCfg } from './optimizer/scale-lr.js';

export { ParamScheduler, INF, type SchedulerState, type SchedulerBaseOptions } from './scheduler/param-scheduler.js';
export { LinearLR, linearLRSchema, type LinearLROptions } from './scheduler/linear-lr.js';
export { ConstantLR, constantLRSchema, type ConstantLROptions } from './scheduler/constant-lr.js';
export { MultiStepLR, multiStepLRSchema, type MultiStepLROptions } from './scheduler/multi-step-lr.js';
export { CosineAnnealingLR, cosineAnnealingLRSchema, type CosineAnnealingLROptions } from './scheduler/cosine-annealing-lr.js';
export { buildSchedulers, type BuildSchedulersOptions } from './scheduler/build-schedulers.js';

export { optimWrapperConfigSchema } from './config-keys.js';
