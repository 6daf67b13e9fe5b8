/**
 * The schema of a whole config: which top-level keys are built from which registry.
 *
 * Keys named here are checked through `ref` (type resolves, options fit the class's schema); every other key
 * passes as is, since configs carry free variables (`data_root`, `train_pipeline`, ...). Packages add their
 * own top-level keys with `registerConfigKey` (distillation adds `kd_loss`, for instance).
 */
import { z, type ZodType } from 'zod';
import type { ValidationIssue } from '../errors.js';
import { ConfigValidationError } from '../errors.js';
import {
  DATASETS,
  DATA_SAMPLERS,
  HOOKS,
  METRICS,
  MODELS,
  OPTIMIZERS,
  PARAM_SCHEDULERS,
  VISBACKENDS,
  VISUALIZERS,
} from '../registry/root-registries.js';
import { formatPath, formatZodIssues } from './format-issues.js';
import { oneOrMany, ref } from './ref.js';

const extraKeys = new Map<string, () => ZodType>();
const crossKeyChecks = new Set<(config: Record<string, unknown>) => ValidationIssue[]>();

/** Declares a top-level config key and the schema of its value (a factory, so registries can fill first). */
export function registerConfigKey(key: string, schema: () => ZodType): void {
  extraKeys.set(key, schema);
}

function dataloader(): ZodType {
  return z.looseObject({
    batch_size: z.int().positive().optional(),
    num_workers: z.int().nonnegative().optional(),
    dataset: ref(DATASETS),
    sampler: ref(DATA_SAMPLERS).optional(),
  });
}

/**
 * Adds a check that compares keys with each other (a head's `num_classes` against its dataset's classes), which
 * no per-node schema can see. It runs after the schema, on configs that are objects, and its issues join the rest.
 */
export function registerConfigCheck(check: (config: Record<string, unknown>) => ValidationIssue[]): void {
  crossKeyChecks.add(check);
}

/** The schema a resolved config is validated against. */
export function configSchema(): ZodType {
  const shape: Record<string, ZodType> = {
    default_scope: z.string().optional(),
    custom_imports: z
      .strictObject({ imports: z.array(z.string()), allow_failed_imports: z.boolean().optional() })
      .optional(),
    model: ref(MODELS).optional(),
    train_dataloader: dataloader().nullable().optional(),
    val_dataloader: dataloader().nullable().optional(),
    test_dataloader: dataloader().nullable().optional(),
    optim_wrapper: z.looseObject({ optimizer: ref(OPTIMIZERS).optional() }).optional(),
    param_scheduler: oneOrMany(PARAM_SCHEDULERS).nullable().optional(),
    val_evaluator: oneOrMany(METRICS).nullable().optional(),
    test_evaluator: oneOrMany(METRICS).nullable().optional(),
    default_hooks: z.record(z.string(), ref(HOOKS).nullable()).optional(),
    custom_hooks: z.array(ref(HOOKS)).optional(),
    vis_backends: z.array(ref(VISBACKENDS)).optional(),
    visualizer: ref(VISUALIZERS).optional(),
  };
  for (const [key, factory] of extraKeys) shape[key] = factory();
  return z.looseObject(shape);
}

/** Every problem in `config`, each with its config path; empty when it is valid. */
export function validateConfig(config: unknown): ValidationIssue[] {
  const schema = configSchema();
  const result = schema.safeParse(config, { reportInput: true });
  const issues = result.success
    ? []
    : formatZodIssues(result.error.issues, schema).map((i) => ({ path: formatPath(i.path), message: i.message }));
  if (typeof config === 'object' && config !== null && !Array.isArray(config)) {
    for (const check of crossKeyChecks) issues.push(...check(config as Record<string, unknown>));
  }
  return issues;
}

/** Throws a `ConfigValidationError` listing every problem in `config`; `file` names the config in the message. */
export function assertValidConfig(config: unknown, file?: string): void {
  const issues = validateConfig(config);
  if (issues.length > 0) throw new ConfigValidationError(issues, { file });
}
