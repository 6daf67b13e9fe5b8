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
import { normalizeConfig } from '../config/config-forms.js';
import { formatPath, formatZodIssues } from './format-issues.js';
import { oneOrMany, ref } from './ref.js';

const extraKeys = new Map<string, () => ZodType>();
/** What a cross-key check gets besides the (canonical) config. */
export interface ConfigCheckContext {
  /** The written config path of a canonical one, for messages that name other paths than their own. */
  pathBack: (path: string) => string;
}

type ConfigCheck = (config: Record<string, unknown>, context: ConfigCheckContext) => ValidationIssue[];

const crossKeyChecks = new Set<ConfigCheck>();

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
 * no per-node schema can see. It runs after the schema, on configs that are objects (in their canonical form; see
 * `registerConfigForm`), and its issues join the rest; their paths are mapped back to the written form.
 */
export function registerConfigCheck(check: ConfigCheck): void {
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

/**
 * Every problem in `config`, each with its config path; empty when it is valid. A config written in a
 * registered shorthand (`registerConfigForm`) is validated in its canonical form, with paths named as written.
 */
export function validateConfig(config: unknown): ValidationIssue[] {
  const isObject = typeof config === 'object' && config !== null && !Array.isArray(config);
  const { config: canonical, pathBack } = isObject ? normalizeConfig(config as Record<string, unknown>) : { config, pathBack: (p: string) => p };
  const schema = configSchema();
  const result = schema.safeParse(canonical, { reportInput: true });
  const issues = result.success
    ? []
    : formatZodIssues(result.error.issues, schema).map((i) => ({ path: formatPath(i.path), message: i.message }));
  if (isObject) {
    for (const check of crossKeyChecks) issues.push(...check(canonical as Record<string, unknown>, { pathBack }));
  }
  return issues.map((issue) => ({ ...issue, path: pathBack(issue.path) }));
}

/** Throws a `ConfigValidationError` listing every problem in `config`; `file` names the config in the message. */
export function assertValidConfig(config: unknown, file?: string): void {
  const issues = validateConfig(config);
  if (issues.length > 0) throw new ConfigValidationError(issues, { file });
}
