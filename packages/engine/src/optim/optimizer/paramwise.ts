/**
 * `paramwise_cfg`: per-parameter learning rate and weight decay; mirrors `add_params` of MMEngine's
 * `DefaultOptimWrapperConstructor` (`mmengine/optim/optimizer/default_constructor.py`).
 *
 * Every parameter gets its own group, in module order. A parameter that does not require gradients gets a
 * group without overrides. Otherwise, the first `custom_keys` key (longest first, ties alphabetical) that is
 * a substring of `<module path>.<name>` sets lr = base_lr·lr_mult and weight_decay = base_wd·decay_mult, copies
 * its other entries into the group and skips every other rule. Else bias_lr_mult applies to `bias` outside norm
 * layers, and the weight decay of a norm layer's parameters is scaled by norm_decay_mult, else that of a `bias`
 * by bias_decay_mult. Norm layers are found in the module tree (see module-kinds.ts).
 *
 * @example
 * paramwise_cfg: { norm_decay_mult: 0, bias_decay_mult: 0, custom_keys: { backbone: { lr_mult: 0.1 } } }
 */
import type * as tf from '@tensorflow/tfjs-core';
import { parseOptions } from '@detlab/core';
import type { Module } from '@detlab/tensor';
import { z } from 'zod';
import { isNormModule } from './module-kinds.js';
import type { Hyper, OptimParam } from './param-group.js';

const mult = z.number().nonnegative();

/**
 * Schema of `optim_wrapper.paramwise_cfg`.
 *
 * @example
 * paramwiseCfgSchema.parse({ custom_keys: { 'bbox_head.atss_cls': { lr_mult: 10, decay_mult: 0 } } });
 */
export const paramwiseCfgSchema = z.strictObject({
  /** Settings for parameters whose full name contains the key; other keys (momentum) are copied into the group. */
  custom_keys: z
    .record(
      z.string(),
      z.looseObject({ lr_mult: mult.optional(), decay_mult: mult.optional(), requires_grad: z.boolean().optional() }).catchall(
        z.union([z.number(), z.boolean(), z.array(z.number())]),
      ),
    )
    .optional(),
  bias_lr_mult: mult.optional(),
  bias_decay_mult: mult.optional(),
  /** Weight decay multiplier of batch/group/layer/instance norm weights and biases. */
  norm_decay_mult: mult.optional(),
  /** Skip a parameter met again through a shared module instead of failing. */
  bypass_duplicate: z.boolean().optional(),
});

/**
 * `optim_wrapper.paramwise_cfg` as written in configs.
 *
 * @example
 * const cfg: ParamwiseCfg = { norm_decay_mult: 0 };
 */
export type ParamwiseCfg = z.input<typeof paramwiseCfgSchema>;

/**
 * The `paramwise_cfg` keys that scale weight decay, and so need the optimizer's `weight_decay`.
 *
 * @example
 * optim_wrapper: { optimizer: { type: 'SGD', lr: 0.01, weight_decay: 1e-4 }, paramwise_cfg: { bias_decay_mult: 0 } }
 */
export const DECAY_MULT_KEYS = ['norm_decay_mult', 'bias_decay_mult'] as const;

/**
 * One param group per parameter of `model` with the overrides `cfg` gives; `base` holds the optimizer config's
 * `lr` and `weight_decay` (undefined when the config has none: then no decay multiplier applies).
 *
 * @example
 * const groups = paramwiseGroups(model, { norm_decay_mult: 0 }, { lr: 0.01, weight_decay: 1e-4 });
 * const sgd = new SGD({ params: groups, lr: 0.01, weight_decay: 1e-4 });
 */
export function paramwiseGroups(
  model: Module,
  cfg: ParamwiseCfg,
  base: { lr: number; weight_decay?: number },
): Array<{ params: OptimParam[]; hyper: Hyper }> {
  const o = parseOptions(paramwiseCfgSchema, cfg, 'paramwise_cfg') as z.output<typeof paramwiseCfgSchema>;
  const customKeys = o.custom_keys ?? {};
  // Stable sort of the alphabetical order by length: the longest key wins, ties go to the alphabetically first.
  const sortedKeys = Object.keys(customKeys).sort().sort((a, b) => b.length - a.length);
  const modules = new Map(model.namedModules());
  const seen = new Set<tf.Variable>();
  const groups: Array<{ params: OptimParam[]; hyper: Hyper }> = [];
  for (const [name, { variable }] of model.namedParameters()) {
    const dot = name.lastIndexOf('.');
    const prefix = dot < 0 ? '' : name.slice(0, dot);
    const leaf = name.slice(dot + 1);
    const group = { params: [{ name, variable }], hyper: {} as Hyper };
    if (!variable.trainable) {
      groups.push(group);
      continue;
    }
    if (seen.has(variable) && o.bypass_duplicate === true) continue;
    seen.add(variable);
    const isNorm = isNormModule(modules.get(prefix) as Module);
    // MMEngine matches against f'{prefix}.{name}', so a root-level parameter reads '.weight'.
    const key = sortedKeys.find((k) => `${prefix}.${leaf}`.includes(k));
    if (key !== undefined) {
      const settings = customKeys[key];
      group.hyper.lr = base.lr * (settings.lr_mult ?? 1);
      if (base.weight_decay !== undefined) group.hyper.weight_decay = base.weight_decay * (settings.decay_mult ?? 1);
      if (settings.requires_grad === false) variable.trainable = false;
      // As MMEngine, the key's own entries (lr_mult, momentum, ...) are copied into the group too.
      Object.assign(group.hyper, settings);
    } else {
      if (leaf === 'bias' && !isNorm && o.bias_lr_mult !== undefined) group.hyper.lr = base.lr * o.bias_lr_mult;
      if (base.weight_decay !== undefined) {
        if (isNorm && o.norm_decay_mult !== undefined) group.hyper.weight_decay = base.weight_decay * o.norm_decay_mult;
        else if (!isNorm && leaf === 'bias' && o.bias_decay_mult !== undefined) group.hyper.weight_decay = base.weight_decay * o.bias_decay_mult;
      }
    }
    groups.push(group);
  }
  return groups;
}
