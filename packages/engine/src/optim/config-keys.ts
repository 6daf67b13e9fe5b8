/**
 * Config validation of `optim_wrapper` and `auto_scale_lr`, registered as top-level config keys so a whole
 * config is checked, with config paths, before any tensor exists.
 *
 * `optim_wrapper` is checked the way `buildOptimWrapper` builds it: `optimizer` against OPTIMIZERS, the
 * wrapper (type defaulting to 'OptimWrapper') against OPTIM_WRAPPERS, and `constructor` (default
 * 'DefaultOptimWrapperConstructor') with `paramwise_cfg` against OPTIM_WRAPPER_CONSTRUCTORS. `param_scheduler`
 * needs nothing here: core already checks it against PARAM_SCHEDULERS.
 *
 * @example
 * optim_wrapper = { optimizer: { type: 'SGD', lr: 0.01, weight_decay: 1e-4 }, paramwise_cfg: { norm_decay_mult: 0 } }
 * auto_scale_lr = { enable: false, base_batch_size: 16 }
 */
import {
  OPTIMIZERS,
  OPTIM_WRAPPERS,
  OPTIM_WRAPPER_CONSTRUCTORS,
  describeValue,
  isPlainObject,
  ref,
  registerConfigKey,
} from '@detlab/core';
import { z, type ZodType } from 'zod';
import { splitOptimWrapperCfg } from './optimizer/build-optim-wrapper.js';
import { autoScaleLrSchema } from './optimizer/scale-lr.js';

/**
 * The schema of the top-level `optim_wrapper` key; see the file comment.
 *
 * @example
 * optimWrapperConfigSchema().safeParse({ optimizer: { type: 'SGD', lr: 0.01 }, clip_grad: { max_norm: 35 } }).success; // true
 */
export function optimWrapperConfigSchema(): ZodType {
  const optimizerRef = ref(OPTIMIZERS);
  const wrapperRef = ref(OPTIM_WRAPPERS);
  const constructorRef = ref(OPTIM_WRAPPER_CONSTRUCTORS);
  return z.any().superRefine((node: unknown, ctx) => {
    if (node === undefined) return;
    const forward = (result: { success: boolean; error?: z.ZodError }, mapPath: (p: PropertyKey[]) => PropertyKey[] = (p) => p): void => {
      for (const issue of result.error?.issues ?? []) {
        ctx.addIssue({ code: 'custom', path: mapPath([...issue.path]), message: issue.message, input: undefined });
      }
    };
    if (!isPlainObject(node)) {
      ctx.addIssue({ code: 'custom', message: `expected an object such as { optimizer: { type: 'SGD', lr: 0.01 } }, got ${describeValue(node)}`, input: undefined });
      return;
    }
    const hasOptimizer = isPlainObject(node.optimizer);
    if (hasOptimizer) forward(optimizerRef.safeParse(node.optimizer), (p) => ['optimizer', ...p]);
    else {
      ctx.addIssue({
        code: 'custom',
        path: ['optimizer'],
        message: `required: expected an optimizer config such as { type: 'SGD', lr: 0.01 }, got ${describeValue(node.optimizer)}`,
        input: undefined,
      });
    }
    const { constructor, paramwise_cfg, optimWrapperCfg } = splitOptimWrapperCfg(node);
    forward(wrapperRef.safeParse({ type: 'OptimWrapper', ...optimWrapperCfg, optimizer: hasOptimizer ? node.optimizer : {} }));
    if (!hasOptimizer) return;
    // The constructor's own keys map back onto optim_wrapper: its `type` is `constructor`, its config is the node.
    forward(constructorRef.safeParse({ type: constructor, optim_wrapper_cfg: optimWrapperCfg, paramwise_cfg }), (p) =>
      p[0] === 'type' ? ['constructor', ...p.slice(1)] : p[0] === 'optim_wrapper_cfg' ? p.slice(1) : p,
    );
  });
}

// Optional: val- or test-only configs have no optimizer (z.any() is otherwise required at the top level).
registerConfigKey('optim_wrapper', () => optimWrapperConfigSchema().optional());
registerConfigKey('auto_scale_lr', () => autoScaleLrSchema.nullable().optional());
