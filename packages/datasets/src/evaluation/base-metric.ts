/**
 * BaseMetric: the protocol every evaluation metric follows, as MMEngine's `BaseMetric`
 * (`mmengine/evaluator/metric.py`).
 *
 * A validation loop hands each batch's data samples (with predictions) to `process`, which keeps what the
 * metric needs in `results`; after the last batch `evaluate(size)` runs `computeMetrics` on them, puts the
 * prefix before every key (`bbox_mAP` → `coco/bbox_mAP`) and clears `results` for the next round.
 *
 * It lives here, beside the only metric so far, because `@detlab/datasets` may not import `@detlab/engine`;
 * the Evaluator of the runner needs only this shape.
 */
import { ConsoleLogger, type Logger } from '@detlab/core';

/**
 * What a dataset tells its metrics about itself (mmengine's `dataset_meta`, the dataset's `metainfo`).
 *
 * @example
 * metric.datasetMeta = { classes: ['0', '1', '2'], cat_ids: [1, 2, 3] };
 */
export interface DatasetMeta {
  /** Class names; label i is `classes[i]`. */
  classes?: readonly string[];
  /** COCO category id of each label (CocoDataset's `cat_ids`); when absent, looked up by class name. */
  cat_ids?: readonly number[];
  [key: string]: unknown;
}

/**
 * Options every metric takes, as MMEngine's.
 *
 * @example
 * const options: BaseMetricOptions = { prefix: 'val', collect_device: 'cpu' };
 */
export interface BaseMetricOptions {
  /** Put before every key with a '/'; the metric's default prefix when null or absent. */
  prefix?: string | null;
  /** Where ranks gather results in distributed runs; detlab runs one process, so only recorded. */
  collect_device?: 'cpu' | 'gpu';
}

/**
 * Base class of metrics: collect with `process`, compute with `computeMetrics`, both called through `evaluate`.
 *
 * @example
 * class CountMetric extends BaseMetric<number> {
 *   constructor() { super({}, 'count'); }
 *   process(_batch: unknown, samples: readonly unknown[]) { this.results.push(samples.length); }
 *   computeMetrics(results: number[]) { return { samples: results.reduce((a, b) => a + b, 0) }; }
 * }
 * new CountMetric().evaluate(10); // { 'count/samples': ... }
 */
export abstract class BaseMetric<R = unknown, S = unknown> {
  /** What `process` kept, one entry per sample, until `evaluate` clears it. */
  readonly results: R[] = [];
  /** Put before every metric name; undefined for none. */
  readonly prefix: string | undefined;
  readonly collectDevice: 'cpu' | 'gpu';
  /** Where the metric logs its tables and summaries; the runner sets the run's logger. */
  logger: Logger = new ConsoleLogger();
  private meta: DatasetMeta | undefined;

  constructor(options: BaseMetricOptions, defaultPrefix?: string) {
    this.prefix = options.prefix ?? defaultPrefix;
    this.collectDevice = options.collect_device ?? 'cpu';
  }

  /** The evaluated dataset's meta information, set by the runner before the first `process`. */
  get datasetMeta(): DatasetMeta | undefined {
    return this.meta;
  }

  set datasetMeta(meta: DatasetMeta | undefined) {
    this.meta = meta === undefined ? undefined : { ...meta };
  }

  /** Called once per batch with its data samples, predictions included; keeps what `computeMetrics` needs. */
  abstract process(dataBatch: unknown, dataSamples: readonly S[]): void;

  /** Computes the metrics, unprefixed, from everything `process` kept. */
  abstract computeMetrics(results: R[]): Record<string, number>;

  /**
   * Computes the metrics over the first `size` results (the dataset size: distributed samplers pad the last
   * batch), prefixes every key, and clears `results`.
   */
  evaluate(size: number): Record<string, number> {
    if (this.results.length === 0) {
      this.logger.warn(
        `${this.constructor.name} got empty \`this.results\`. Please ensure that the processed results are properly added into \`this.results\` in \`process\` method.`,
      );
    }
    const metrics = this.computeMetrics(this.results.slice(0, size));
    this.results.length = 0;
    if (!this.prefix) return metrics;
    return Object.fromEntries(Object.entries(metrics).map(([key, value]) => [`${this.prefix}/${key}`, value]));
  }
}
