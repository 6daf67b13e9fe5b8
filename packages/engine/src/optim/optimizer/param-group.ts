/**
 * Parameters and param groups, the data an optimizer works on; mirrors `torch.optim.Optimizer.param_groups`.
 *
 * A parameter is named by its state-dict name (`backbone.conv1.weight`), not by the tfjs variable's name, so
 * optimizer state keyed by it survives rebuilding the model. A group holds parameters plus plain-number
 * hyper-parameters (`lr`, `weight_decay`, `momentum`, `initial_lr` once a scheduler ran, `lr_mult` from
 * `paramwise_cfg.custom_keys`), which schedulers read and write and checkpoints store as JSON.
 *
 * @example
 * optim_wrapper: { optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9 } } // one group with all parameters
 */
import type * as tf from '@tensorflow/tfjs-core';
import { DetlabError, describeValue } from '@detlab/core';
import type { Module } from '@detlab/tensor';
import { z } from 'zod';

/**
 * A parameter an optimizer updates: its state-dict name and its variable.
 *
 * @example
 * const params: OptimParam[] = model.namedParameters().map(([name, p]) => ({ name, variable: p.variable }));
 */
export interface OptimParam {
  readonly name: string;
  readonly variable: tf.Variable;
}

/**
 * A hyper-parameter value: a number (`lr`), a flag (`nesterov`) or a tuple (`betas`).
 *
 * @example
 * optimizer: { type: 'Adam', lr: 1e-3, betas: [0.9, 0.999], amsgrad: false }
 */
export type HyperValue = number | boolean | readonly number[];

/**
 * Hyper-parameters of one group by config name, as PyTorch keeps them beside `params`.
 *
 * @example
 * const hyper: Hyper = { lr: 0.01, momentum: 0.9, dampening: 0, weight_decay: 1e-4, nesterov: false };
 */
export type Hyper = Record<string, HyperValue>;

/**
 * One param group: its parameters and its (mutable) hyper-parameters.
 *
 * @example
 * optim_wrapper.paramGroups[0].hyper.lr = 0.02; // what a scheduler does
 */
export interface ParamGroup {
  readonly params: readonly OptimParam[];
  readonly hyper: Hyper;
}

/**
 * The `params` an optimizer is built with: parameters (one group) or groups whose `hyper` overrides the
 * optimizer's defaults, as `torch.optim` accepts a list of tensors or of dicts.
 *
 * @example
 * new SGD({ lr: 0.01, params: [{ params: backboneParams, hyper: { lr: 0.001 } }, { params: headParams }] });
 */
export type OptimizerParams = readonly OptimParam[] | ReadonlyArray<{ params: readonly OptimParam[]; hyper?: Hyper }>;

/**
 * Anything whose param groups a scheduler can drive: an `Optimizer` or an `OptimWrapper`.
 *
 * @example
 * new LinearLR({ optimizer: optimWrapper, start_factor: 0.001, by_epoch: false, end: 500 });
 */
export interface ParamGroupsOwner {
  readonly paramGroups: readonly ParamGroup[];
}

/**
 * Schema of an optimizer's `params` option: filled in by the optim wrapper constructor, never by a config.
 *
 * @example
 * z.strictObject({ params: optimizerParamsSchema.optional(), lr: z.number() })
 */
export const optimizerParamsSchema = z.custom<OptimizerParams>(
  (v) => Array.isArray(v),
  'expected a list of parameters or param groups (set by the optim wrapper constructor, not in configs)',
);

/**
 * The parameters of `model` by state-dict name, each variable once (a shared module's weights are listed
 * under their first name), as `nn.Module.parameters()` deduplicates.
 *
 * @example
 * const sgd = new SGD({ params: moduleParams(model), lr: 0.01 });
 */
export function moduleParams(model: Module): OptimParam[] {
  const seen = new Set<tf.Variable>();
  const params: OptimParam[] = [];
  for (const [name, p] of model.namedParameters()) {
    if (seen.has(p.variable)) continue;
    seen.add(p.variable);
    params.push({ name, variable: p.variable });
  }
  return params;
}

/**
 * Groups with every default filled in; throws when there is nothing to optimize or a parameter (by name or
 * by variable) is in two groups, as torch does.
 *
 * @example
 * normalizeParamGroups('SGD', params, { lr: 0.01, momentum: 0 });
 */
export function normalizeParamGroups(owner: string, params: OptimizerParams | undefined, defaults: Hyper): ParamGroup[] {
  if (params === undefined) {
    throw new DetlabError(`${owner}: no parameters to optimize (options.params is missing)`, {
      hint: 'Build optimizers with buildOptimWrapper(model, cfg.optim_wrapper), which passes the model parameters.',
    });
  }
  const groups = isGroupList(params)
    ? params.map((g) => ({ params: [...g.params], hyper: { ...cloneHyper(defaults), ...cloneHyper(g.hyper ?? {}) } }))
    : [{ params: [...params], hyper: cloneHyper(defaults) }];
  const names = new Set<string>();
  const variables = new Set<tf.Variable>();
  for (const group of groups) {
    for (const p of group.params) {
      if (names.has(p.name) || variables.has(p.variable)) {
        throw new DetlabError(`${owner}: parameter '${p.name}' appears in more than one param group`, {
          hint: 'A module shared by two parents lists its weights twice; set paramwise_cfg.bypass_duplicate: true.',
        });
      }
      names.add(p.name);
      variables.add(p.variable);
    }
  }
  if (names.size === 0) throw new DetlabError(`${owner}: got an empty parameter list`);
  return groups;
}

/**
 * A numeric hyper-parameter of `hyper`; throws naming the key when it is missing or not a number.
 *
 * @example
 * hyperNumber(optimWrapper.paramGroups[0].hyper, 'lr'); // optimizer: { type: 'SGD', lr: 0.01 } → 0.01
 */
export function hyperNumber(hyper: Hyper, key: string): number {
  const value = hyper[key];
  if (typeof value !== 'number') {
    throw new DetlabError(`param group: expected a number for '${key}', got ${describeValue(value)}`);
  }
  return value;
}

/**
 * A copy of `hyper` whose tuples are copied too, so saved state never aliases live groups.
 *
 * @example
 * cloneHyper({ lr: 0.001, betas: [0.9, 0.999] }); // optimizer: { type: 'Adam', betas: [0.9, 0.999] }
 */
export function cloneHyper(hyper: Readonly<Hyper>): Hyper {
  const copy: Hyper = {};
  for (const [k, v] of Object.entries(hyper)) copy[k] = Array.isArray(v) ? [...(v as number[])] : v;
  return copy;
}

function isGroupList(params: OptimizerParams): params is ReadonlyArray<{ params: readonly OptimParam[]; hyper?: Hyper }> {
  return params.length > 0 && Array.isArray((params[0] as { params?: unknown }).params);
}
