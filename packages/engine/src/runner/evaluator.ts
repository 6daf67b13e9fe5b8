/**
 * `Evaluator`: the metrics of a val or test loop, as MMEngine's `mmengine/evaluator/evaluator.py`.
 *
 * It is built from `val_evaluator`/`test_evaluator`: one metric config, a list of them, or
 * `{ type: 'Evaluator', metrics: [...] }`. Each metric (METRICS) sees every batch with the model's predictions
 * and reduces them at the end of the epoch; the evaluator merges their results, which must not share keys.
 *
 * @example
 * const evaluator = buildEvaluator({ type: 'CocoMetric', ann_file: 'val.json' }, 'val_evaluator');
 * evaluator.datasetMeta = { classes: ['0', '1'] };
 * for (const batch of loader) evaluator.process(batch, await model.predict(batch));
 * await evaluator.evaluate(loader.dataset.length); // { 'coco/bbox_mAP': 0.51, ... }
 */
import { ConfigError, DetlabError, EVALUATORS, METRICS, describeValue, isPlainObject, joinConfigPath } from '@detlab/core';
import { z } from 'zod';

/** What the evaluator needs of a metric (METRICS). */
export interface Metric {
  /** Takes one batch and the model's predictions for it (index-aligned with the batch's samples). */
  process(batch: unknown, outputs: readonly unknown[]): void | Promise<void>;
  /** The metrics over every processed sample (`size`: the dataset's length), by prefixed key; then forgets them. */
  evaluate(size: number): Record<string, number> | Promise<Record<string, number>>;
  /** The dataset's metainfo (classes, ...), set by the loop before the first batch. */
  datasetMeta?: Record<string, unknown>;
}

/** Options of `Evaluator`. */
export const evaluatorSchema = z.strictObject({ metrics: z.array(z.looseObject({ type: z.unknown() })).min(1) });

/** Several metrics run as one; see the file comment. */
@EVALUATORS.register({ name: 'Evaluator', schema: evaluatorSchema, description: 'Runs several metrics as one (MMEngine Evaluator).' })
export class Evaluator {
  readonly metrics: Metric[];

  constructor(options: { metrics: readonly (Metric | Record<string, unknown>)[] }, path = 'evaluator') {
    this.metrics = options.metrics.map((m, i) => buildMetric(m, joinConfigPath(path, 'metrics', i)));
  }

  /** Hands the dataset's metainfo to every metric. */
  set datasetMeta(meta: Record<string, unknown> | undefined) {
    for (const metric of this.metrics) metric.datasetMeta = meta;
  }

  /** Passes one batch and its predictions to every metric. */
  async process(batch: unknown, outputs: readonly unknown[]): Promise<void> {
    for (const metric of this.metrics) {
      const pending = metric.process(batch, outputs);
      if (pending) await pending;
    }
  }

  /** Every metric's results merged; throws when two metrics report the same key. */
  async evaluate(size: number): Promise<Record<string, number>> {
    const merged: Record<string, number> = {};
    for (const metric of this.metrics) {
      for (const [key, value] of Object.entries(await metric.evaluate(size))) {
        if (key in merged) {
          throw new DetlabError(`Evaluator: two metrics both report '${key}' (the second is ${metric.constructor.name})`, {
            hint: 'Give the metrics different prefixes.',
          });
        }
        merged[key] = value;
      }
    }
    return merged;
  }
}

/** The evaluator of a `val_evaluator`/`test_evaluator` config value at `path`; see the file comment. */
export function buildEvaluator(cfg: unknown, path: string): Evaluator {
  if (cfg instanceof Evaluator) return cfg;
  if (Array.isArray(cfg)) return new Evaluator({ metrics: cfg }, path);
  if (isPlainObject(cfg) && cfg.type === 'Evaluator') {
    const { metrics } = evaluatorSchema.parse({ metrics: cfg.metrics });
    return new Evaluator({ metrics }, path);
  }
  return new Evaluator({ metrics: [cfg as Metric] }, path);
}

function buildMetric(cfg: Metric | Record<string, unknown>, path: string): Metric {
  const metric = isPlainObject(cfg) ? METRICS.build<Metric>(cfg, { path }) : cfg;
  if (typeof metric?.process !== 'function' || typeof metric?.evaluate !== 'function') {
    throw new ConfigError(`${path}: expected a metric with process(batch, outputs) and evaluate(size), got ${describeValue(metric)}`, {
      configPath: path,
    });
  }
  return metric;
}
