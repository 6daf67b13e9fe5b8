/**
 * `DefaultOptimWrapperConstructor`: builds the optimizer over a model's parameters, then the optim wrapper
 * around it; mirrors MMEngine's class of that name (registered in OPTIM_WRAPPER_CONSTRUCTORS).
 *
 * Without `paramwise_cfg` all parameters form one group. With it, each parameter gets a group from
 * `paramwiseGroups`. The wrapper type defaults to 'OptimWrapper'. `build(model)` is MMEngine's `__call__`.
 *
 * @example
 * optim_wrapper: { constructor: 'DefaultOptimWrapperConstructor', optimizer: { type: 'SGD', lr: 0.01, weight_decay: 1e-4 },
 *   paramwise_cfg: { norm_decay_mult: 0 } }
 */
import { OPTIMIZERS, OPTIM_WRAPPERS, OPTIM_WRAPPER_CONSTRUCTORS, joinConfigPath, parseOptions } from '@detlab/core';
import type { Module } from '@detlab/tensor';
import { z } from 'zod';
import type { OptimWrapper } from './optim-wrapper.js';
import type { Optimizer } from './optimizer.js';
import { moduleParams } from './param-group.js';
import { DECAY_MULT_KEYS, paramwiseCfgSchema, paramwiseGroups } from './paramwise.js';

/**
 * Options of `DefaultOptimWrapperConstructor`: the `optim_wrapper` config without `constructor` and
 * `paramwise_cfg`, and the `paramwise_cfg`. A decay multiplier needs the optimizer's `weight_decay`.
 *
 * @example
 * defaultOptimWrapperConstructorSchema.parse({ optim_wrapper_cfg: { optimizer: { type: 'SGD', lr: 0.01 } } });
 */
export const defaultOptimWrapperConstructorSchema = z
  .strictObject({
    optim_wrapper_cfg: z.looseObject({
      // Only read here (lr, weight_decay); the optimizer's own schema checks it when it is built.
      optimizer: z.looseObject({ type: z.unknown() }),
    }),
    paramwise_cfg: paramwiseCfgSchema.nullish(),
  })
  .superRefine((o, ctx) => {
    const pw = o.paramwise_cfg;
    if (!pw || o.optim_wrapper_cfg.optimizer.weight_decay !== undefined) return;
    const paths: string[][] = DECAY_MULT_KEYS.filter((k) => pw[k] !== undefined).map((k) => [k]);
    for (const [name, settings] of Object.entries(pw.custom_keys ?? {})) {
      if (settings.decay_mult !== undefined) paths.push(['custom_keys', name, 'decay_mult']);
    }
    for (const path of paths) {
      ctx.addIssue({
        code: 'custom',
        path: ['paramwise_cfg', ...path],
        message: 'scales the weight decay, but optim_wrapper.optimizer sets no weight_decay: add one (MMEngine: base_wd should not be None)',
      });
    }
  });

/**
 * Options of `DefaultOptimWrapperConstructor`.
 *
 * @example
 * const options: DefaultOptimWrapperConstructorOptions = { optim_wrapper_cfg: { optimizer: { type: 'AdamW', lr: 1e-4 } } };
 */
export type DefaultOptimWrapperConstructorOptions = z.input<typeof defaultOptimWrapperConstructorSchema>;

/**
 * Builds optimizer and optim wrapper for a model; see the file comment.
 *
 * @example
 * const ctor = new DefaultOptimWrapperConstructor({ optim_wrapper_cfg: { optimizer: { type: 'SGD', lr: 0.01 } } });
 * const optimWrapper = ctor.build(model);
 */
@OPTIM_WRAPPER_CONSTRUCTORS.register({
  name: 'DefaultOptimWrapperConstructor',
  schema: defaultOptimWrapperConstructorSchema,
  description: 'Optimizer over the model parameters (paramwise_cfg aware), then the optim wrapper.',
})
export class DefaultOptimWrapperConstructor {
  readonly options: z.output<typeof defaultOptimWrapperConstructorSchema>;

  constructor(options: DefaultOptimWrapperConstructorOptions) {
    this.options = parseOptions(defaultOptimWrapperConstructorSchema, options, 'DefaultOptimWrapperConstructor') as z.output<typeof defaultOptimWrapperConstructorSchema>;
  }

  /** The optim wrapper for `model`; `path` is the config path errors name. */
  build(model: Module, path = 'optim_wrapper'): OptimWrapper {
    const { optimizer: optimizerCfg, ...wrapperCfg } = this.options.optim_wrapper_cfg;
    const paramwise = this.options.paramwise_cfg;
    // As MMEngine: any non-empty paramwise_cfg, even one without rules, makes one group per parameter.
    const usePerParam = paramwise !== undefined && paramwise !== null && Object.keys(paramwise).length > 0;
    const { lr, weight_decay: weightDecay } = optimizerCfg;
    const base = { lr: typeof lr === 'number' ? lr : lrDefault(optimizerCfg.type), weight_decay: typeof weightDecay === 'number' ? weightDecay : undefined };
    const params = usePerParam ? paramwiseGroups(model, paramwise ?? {}, base) : moduleParams(model);
    const optimizer = OPTIMIZERS.build<Optimizer>(optimizerCfg, { defaults: { params }, path: joinConfigPath(path, 'optimizer') });
    return OPTIM_WRAPPERS.build<OptimWrapper>({ type: 'OptimWrapper', ...wrapperCfg, optimizer }, { path });
  }
}

/** The registered optimizer's default lr, for configs that rely on it (a custom key needs a base lr). */
function lrDefault(type: unknown): number {
  const schema = typeof type === 'string' ? OPTIMIZERS.getEntry(type)?.schema : undefined;
  const parsed = schema?.safeParse({});
  const lr = parsed?.success ? (parsed.data as { lr?: unknown }).lr : undefined;
  return typeof lr === 'number' ? lr : 0;
}
