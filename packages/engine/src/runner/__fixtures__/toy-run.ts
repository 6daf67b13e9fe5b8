/**
 * A tiny training setup for the runner tests: a linear regressor, a deterministic synthetic dataloader whose
 * order depends on (seed, epoch), a metric, a logger that records lines, and a config builder.
 */
import { METRICS, MODELS, Registry, rootContainer, LOGGER, type DependencyContainer, type Logger, type LogLevel } from '@detlab/core';
import { Module, initBackend } from '@detlab/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataloader } from '../dataloader.js';
import type { Metric } from '../evaluator.js';

/** Plain-data batch: `x` n×4 and `y` n×1, row-major. */
export interface ToyBatch {
  x: Float32Array;
  y: Float32Array;
  n: number;
}

/** Options of `ToyRegressor`. */
export interface ToyRegressorOptions {
  /** Keep one tensor per loss call (a deliberate leak). */
  leak?: boolean;
  /** Make the loss NaN from this loss call on (1-based). */
  nanFromCall?: number;
}

const toyModels = new Registry('model', { parent: MODELS, scope: 'enginetest' });
const toyMetrics = new Registry('metric', { parent: METRICS, scope: 'enginetest' });

/** y = x·w + b, trained with mean squared error; weights start at fixed values. */
@toyModels.register('ToyRegressor')
export class ToyRegressor extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  calls = 0;

  constructor(readonly options: ToyRegressorOptions = {}) {
    super();
    this.weight = this.registerParameter('weight', tf.tensor2d([0.1, -0.2, 0.3, -0.4], [4, 1]), 'linear');
    this.bias = this.registerParameter('bias', tf.zeros([1]));
  }

  forward(batch: ToyBatch): tf.Tensor2D {
    return tf.add(tf.matMul(tf.tensor2d(batch.x, [batch.n, 4]), this.weight), this.bias);
  }

  loss(batch: ToyBatch): Record<string, tf.Scalar> {
    this.calls += 1;
    if (this.options.leak) tf.keep(tf.scalar(this.calls));
    const mse = tf.losses.meanSquaredError(tf.tensor2d(batch.y, [batch.n, 1]), this.forward(batch)) as tf.Scalar;
    const nan = this.options.nanFromCall !== undefined && this.calls >= this.options.nanFromCall;
    return { loss_mse: nan ? (tf.mul(mse, NaN) as tf.Scalar) : mse };
  }

  predict(batch: ToyBatch): number[] {
    return Array.from(this.forward(batch).dataSync());
  }
}

/** `batches` batches of `batchSize` samples; the order of batches rotates with the epoch set by `setEpoch`. */
export class ToyLoader implements Dataloader<ToyBatch> {
  readonly data: ToyBatch[];
  readonly dataset: { length: number; metainfo: Record<string, unknown> };
  epoch = 0;
  setEpochCalls: number[] = [];

  constructor(readonly batches = 4, readonly batchSize = 8, seed = 1) {
    let state = seed;
    const rand = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
    this.data = Array.from({ length: batches }, () => {
      const x = Float32Array.from({ length: batchSize * 4 }, rand);
      const y = Float32Array.from({ length: batchSize }, (_, i) => 0.5 * x[4 * i] - x[4 * i + 1] + 0.25 * x[4 * i + 2] + 0.1);
      return { x, y, n: batchSize };
    });
    this.dataset = { length: batches * batchSize, metainfo: { classes: ['toy'] } };
  }

  get length(): number {
    return this.batches;
  }

  setEpoch(epoch: number): void {
    this.epoch = epoch;
    this.setEpochCalls.push(epoch);
  }

  *[Symbol.iterator](): Iterator<ToyBatch> {
    for (let i = 0; i < this.batches; i++) yield this.data[(i + this.epoch) % this.batches];
  }
}

/** Mean squared error of the predictions, as `toy/mse`. */
@toyMetrics.register('ToyMetric')
export class ToyMetric implements Metric {
  private sum = 0;
  private count = 0;
  datasetMeta?: Record<string, unknown>;

  process(batch: unknown, outputs: readonly unknown[]): void {
    const { y } = batch as ToyBatch;
    outputs.forEach((p, i) => {
      this.sum += ((p as number) - y[i]) ** 2;
      this.count += 1;
    });
  }

  evaluate(): Record<string, number> {
    const mse = this.sum / this.count;
    this.sum = this.count = 0;
    return { 'toy/mse': mse };
  }
}

/** Reports the given values in turn as `toy/acc` (and `toy/loss` = 1 - acc), for best/early-stopping tests. */
export class ScriptedMetric implements Metric {
  private next = 0;
  constructor(readonly values: number[]) {}
  process(): void {}
  evaluate(): Record<string, number> {
    const acc = this.values[Math.min(this.next++, this.values.length - 1)];
    return { 'toy/acc': acc, 'toy/loss': 1 - acc };
  }
}

/** A logger that keeps its lines (and writes nothing to the console). */
export class MemoryLogger implements Logger {
  level: LogLevel = 'info';
  readonly lines: string[] = [];
  readonly files: string[] = [];
  debug(m: string): void {
    this.lines.push(`DEBUG ${m}`);
  }
  info(m: string): void {
    this.lines.push(`INFO ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`WARN ${m}`);
  }
  error(m: string): void {
    this.lines.push(`ERROR ${m}`);
  }
  addFile(file: string): void {
    this.files.push(file);
  }
}

/** A services container whose logger is a fresh `MemoryLogger`. */
export function testServices(): { services: DependencyContainer; logger: MemoryLogger } {
  const logger = new MemoryLogger();
  const services = rootContainer.createChildContainer();
  services.register(LOGGER, { useValue: logger });
  return { services, logger };
}

/** The cpu backend: exact, and fast enough for a 5-parameter model. */
export async function useCpu(): Promise<void> {
  await initBackend('cpu');
}

/** A fresh temporary folder. */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'detlab-engine-'));
}

/** A complete training config for the toy model; `overrides` replace top-level keys. */
export function toyConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: new ToyRegressor(),
    train_dataloader: new ToyLoader(),
    train_cfg: { type: 'EpochBasedTrainLoop', max_epochs: 4, val_interval: 1 },
    val_dataloader: new ToyLoader(2, 8, 7),
    val_cfg: { type: 'ValLoop' },
    val_evaluator: new ToyMetric(),
    optim_wrapper: { optimizer: { type: 'SGD', lr: 0.05, momentum: 0.9 } },
    param_scheduler: [{ type: 'MultiStepLR', milestones: [2, 3], gamma: 0.5, by_epoch: true }],
    default_hooks: { logger: { type: 'LoggerHook', interval: 1, progress_bar: false } },
    randomness: { seed: 0 },
    vis_backends: [{ type: 'LocalVisBackend' }],
    ...overrides,
  };
}

/** The values of a tensor as a plain array. */
export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}
