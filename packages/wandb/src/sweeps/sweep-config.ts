/**
 * Sweep configs in W&B's format (wandb/sweeps `config/schema.json`; reference/wandb.md §1, §2.1, §7.1), read
 * from YAML, JSON or TS files through core's `loadConfigFile` (JSON/YAML run no code; a TS file does).
 *
 * `loadSweepConfig` validates the file and fills it in as W&B's client does before upload: every parameter
 * gets its `distribution` (`{min: 1, max: 10}` is int_uniform, `{min: 0.1, max: 1}` uniform, `{values}`
 * categorical, `{value}` constant), the metric gets `goal: minimize` and `impute: worst`, hyperband gets
 * `eta: 3` and `strict: true`. Nested `parameters` are flattened into dotted names (`model.bbox_head.x`), which
 * is also how detlab maps names to config paths (see `trial.ts`).
 *
 * @example
 * const sweep = await loadSweepConfig('configs/sweeps/atss_kd.yaml');
 * sweep.parameters.lr; // { distribution: 'uniform', min: 0.0001, max: 0.003 }
 */
import { ConfigError, ConfigValidationError, SWEEP_METHODS, didYouMean, loadConfigFile, parseOptions } from '@detlab/core';
import { z } from 'zod';
import { DISTRIBUTIONS, makeDistribution, type DistributionName, type ParamSpec } from './distributions.js';

/** W&B's parameter names: `^[A-Za-z_][A-Za-z0-9_.-]*$`. */
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** One parameter as a sweep file writes it (any of W&B's forms; see the file comment). */
export const paramSpecSchema: z.ZodType<RawParamSpec> = z.lazy(() =>
  z.strictObject({
    distribution: z.string().optional(),
    value: z.unknown().optional(),
    values: z.array(z.unknown()).min(1).optional(),
    probabilities: z.array(z.number().nonnegative()).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    q: z.number().positive().optional(),
    mu: z.number().optional(),
    sigma: z.number().positive().optional(),
    a: z.number().optional(),
    b: z.number().optional(),
    parameters: z.record(z.string(), paramSpecSchema).optional(),
  }),
);

/** A parameter as written in the file. */
export interface RawParamSpec {
  distribution?: string;
  value?: unknown;
  values?: unknown[];
  probabilities?: number[];
  min?: number;
  max?: number;
  q?: number;
  mu?: number;
  sigma?: number;
  a?: number;
  b?: number;
  parameters?: Record<string, RawParamSpec>;
}

/** `metric`: what the search optimises. */
export const metricSchema = z.strictObject({
  /** The logged key (`val/bbox_mAP_50`; `val/x` also matches detlab's `coco/x`, see `trial.ts`). */
  name: z.string().min(1),
  goal: z.enum(['minimize', 'maximize']).default('minimize'),
  /** Stop creating trials once a trial reaches this value. */
  target: z.number().optional(),
  /** What a failed trial counts as for bayes. */
  impute: z.enum(['latest', 'best', 'worst']).default('worst'),
  impute_while_running: z.enum(['latest', 'best', 'worst', 'false']).default('false'),
});

/** `early_terminate`: hyperband (the only type W&B implements). */
export const earlyTerminateSchema = z
  .strictObject({
    type: z.literal('hyperband'),
    min_iter: z.int().positive().optional(),
    max_iter: z.int().positive().optional(),
    s: z.int().positive().optional(),
    eta: z.number().gt(1).default(3),
    strict: z.boolean().default(true),
  })
  .refine((h) => h.min_iter !== undefined || (h.max_iter !== undefined && h.s !== undefined), {
    message: 'hyperband needs min_iter, or both max_iter and s',
  });

/** A whole sweep file (W&B's top-level keys; the CLI-agent and Launch keys are accepted and unused). */
export const sweepFileSchema = z.strictObject({
  method: z.string(),
  parameters: z.record(z.string(), paramSpecSchema),
  metric: metricSchema.optional(),
  early_terminate: earlyTerminateSchema.optional(),
  run_cap: z.int().positive().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  entity: z.string().optional(),
  project: z.string().optional(),
  program: z.string().optional(),
  command: z.array(z.unknown()).optional(),
  controller: z.strictObject({ type: z.enum(['local', 'cloud']).default('cloud') }).optional(),
  apiVersion: z.string().optional(),
  kind: z.literal('sweep').optional(),
  job: z.string().optional(),
  image_uri: z.string().optional(),
});

/** A validated, filled-in sweep config. */
export interface SweepConfig extends Omit<z.output<typeof sweepFileSchema>, 'parameters'> {
  /** Flat: dotted names for nested parameters, sorted by name (W&B's order). */
  parameters: Record<string, ParamSpec>;
}

/** Reads, validates and fills in the sweep file `file`; errors name the file and the key. */
export async function loadSweepConfig(file: string): Promise<SweepConfig> {
  const raw = await loadConfigFile(file);
  return parseSweepConfig(raw, file);
}

/** Validates and fills in sweep config data (already loaded); `file` is for messages. */
export function parseSweepConfig(raw: unknown, file?: string): SweepConfig {
  const where = file ? ` in ${file}` : '';
  let parsed: z.output<typeof sweepFileSchema>;
  try {
    parsed = parseOptions(sweepFileSchema, raw, '') as z.output<typeof sweepFileSchema>;
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    throw new ConfigValidationError(error.issues, { file, hint: 'See docs/sweeps.md for the sweep file format (W&B sweep configs).' });
  }
  if (!SWEEP_METHODS.has(parsed.method)) {
    const known = SWEEP_METHODS.list().map((e) => e.name);
    throw new ConfigError(`method: unknown sweep method '${parsed.method}'${where}`, {
      file,
      configPath: 'method',
      hint: `Known methods: ${known.join(', ')}.${didYouMean(parsed.method, known)}`,
    });
  }
  const parameters = flattenParameters(parsed.parameters, '', file);
  if (Object.keys(parameters).length === 0) {
    throw new ConfigError(`parameters: a sweep needs at least one parameter${where}`, { file, configPath: 'parameters' });
  }
  if (parsed.method === 'bayes' && !parsed.metric) {
    throw new ConfigError(`metric: method bayes needs a metric to optimise${where}`, { file, configPath: 'metric', hint: 'Add e.g. metric: {name: val/bbox_mAP_50, goal: maximize}.' });
  }
  if (parsed.early_terminate && !parsed.metric) {
    throw new ConfigError(`early_terminate: hyperband needs a metric${where}`, { file, configPath: 'early_terminate', hint: 'Add metric: {name, goal}.' });
  }
  return { ...parsed, parameters };
}

/** Fills the distribution of one parameter spec, as W&B's client does (§2.1); throws with the config path. */
export function fillParamSpec(name: string, raw: RawParamSpec, file?: string): ParamSpec {
  const path = `parameters.${name}`;
  const fail = (message: string, hint?: string): never => {
    throw new ConfigError(`${path}: ${message}${file ? ` in ${file}` : ''}`, { file, configPath: path, hint });
  };
  const { parameters: _nested, a: _a, b: _b, ...rest } = raw;
  let distribution = raw.distribution;
  if (distribution === undefined) {
    if ('value' in raw) distribution = 'constant';
    else if (raw.values && raw.probabilities) distribution = 'categorical_w_probabilities';
    else if (raw.values) distribution = 'categorical';
    else if (raw.min !== undefined && raw.max !== undefined) {
      // JavaScript cannot tell 1 from 1.0: both bounds integers means int_uniform (reference/wandb.md §2.1).
      distribution = Number.isInteger(raw.min) && Number.isInteger(raw.max) ? 'int_uniform' : 'uniform';
    } else if (raw.mu !== undefined || raw.sigma !== undefined) distribution = 'normal';
    else fail('cannot tell its distribution', 'Give value, values, min and max, or a distribution key.');
  }
  if (distribution === 'log_uniform' || distribution === 'inv_log_uniform' || distribution === 'q_log_uniform') {
    fail(`distribution ${distribution} (min/max as natural-log exponents) is deprecated by W&B`, `Use ${distribution}_values with min/max as the values themselves.`);
  }
  if (distribution === 'beta' || distribution === 'q_beta') fail(`distribution ${distribution} is not supported by detlab yet`, 'Use uniform, normal or a categorical.');
  if (!(DISTRIBUTIONS as readonly string[]).includes(distribution!)) {
    fail(`unknown distribution '${distribution}'`, `Known: ${DISTRIBUTIONS.join(', ')}.${didYouMean(distribution!, DISTRIBUTIONS)}`);
  }
  const spec = { ...rest, distribution: distribution as DistributionName } as ParamSpec;
  checkSpec(spec, fail);
  makeDistribution(name, spec, file); // checks the numeric keys
  return spec;
}

function checkSpec(spec: ParamSpec, fail: (message: string, hint?: string) => never): void {
  const d = spec.distribution;
  const needsRange = ['int_uniform', 'uniform', 'q_uniform', 'log_uniform_values', 'q_log_uniform_values', 'inv_log_uniform_values'].includes(d);
  if (needsRange) {
    if (spec.min === undefined || spec.max === undefined) fail(`distribution ${d} needs min and max`);
    if (!(spec.min! < spec.max!)) fail(`min must be less than max, got min ${spec.min} and max ${spec.max}`);
    if (d === 'int_uniform' && !(Number.isInteger(spec.min) && Number.isInteger(spec.max))) fail(`int_uniform needs integer bounds, got ${spec.min} and ${spec.max}`);
    if (d.includes('log') && spec.min! <= 0) fail(`${d} needs min > 0, got ${spec.min}`);
  }
  if ((d === 'categorical' || d === 'categorical_w_probabilities') && !spec.values?.length) fail(`distribution ${d} needs a non-empty values list`);
  if (d === 'categorical_w_probabilities') {
    const p = spec.probabilities ?? [];
    if (p.length !== spec.values!.length) fail(`probabilities: expected one per value (${spec.values!.length}), got ${p.length}`);
    const sum = p.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-6) fail(`probabilities must sum to 1, got ${sum}`);
  }
  if (d === 'constant' && !('value' in spec)) fail('distribution constant needs a value');
}

function flattenParameters(params: Record<string, RawParamSpec>, prefix: string, file: string | undefined): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {};
  for (const key of Object.keys(params).sort()) {
    const name = prefix + key;
    if (!PARAM_NAME.test(key)) {
      throw new ConfigError(`parameters.${name}: a parameter name must match ${PARAM_NAME.source}${file ? ` in ${file}` : ''}`, { file, configPath: `parameters.${name}` });
    }
    const spec = params[key];
    if (spec.parameters) Object.assign(out, flattenParameters(spec.parameters, `${name}.`, file));
    else out[name] = fillParamSpec(name, spec, file);
  }
  return out;
}
