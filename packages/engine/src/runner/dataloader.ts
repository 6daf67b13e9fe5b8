/**
 * What the runner needs of a dataloader, and how it gets one from a `*_dataloader` config.
 *
 * A dataloader is anything iterable (sync or async) over batches with a `length` (batches per epoch). It may
 * have `setEpoch` (or a `sampler.setEpoch`), which DistSamplerSeedHook calls before each epoch so that shuffling
 * depends on (seed, epoch) only: a resumed run then sees the same batches as an uninterrupted one. `dataset`
 * gives the evaluator its size and metainfo.
 *
 * The runner builds loaders through the `DATALOADER_FACTORY` service (a `Symbol.for` token, so the package
 * that owns datasets can provide it without importing the engine), and closes those when its run ends; a
 * config value that already is a dataloader is used as it is (and left open: its owner may reuse it).
 *
 * @example
 * container.register(DATALOADER_FACTORY, { useValue: (cfg, { seed }) => new DataLoader({ ...cfg, seed }) });
 */
import { ConfigError, describeValue, isPlainObject, type InjectionToken } from '@detlab/core';

/** Batches of one epoch, with its length; see the file comment. */
export interface Dataloader<B = unknown> {
  /** Batches per epoch. */
  readonly length: number;
  /** One epoch of batches; iterating again starts the next epoch. */
  [Symbol.asyncIterator]?(): AsyncIterator<B>;
  [Symbol.iterator]?(): Iterator<B>;
  /** Reseeds shuffling for `epoch` (MMEngine's `sampler.set_epoch`). */
  setEpoch?(epoch: number): void;
  /** The sampler, when `setEpoch` lives there instead. */
  readonly sampler?: { setEpoch?(epoch: number): void };
  /** The dataset: its size for metrics, its metainfo for checkpoints and metrics. */
  readonly dataset?: { readonly length?: number; readonly metainfo?: Record<string, unknown> };
  /** Releases workers; the runner calls it on loaders it built, when its run ends. */
  close?(): void | Promise<void>;
}

/** What a `DataloaderFactory` is told besides the config. */
export interface DataloaderContext {
  /** Config path of the loader (`train_dataloader`), for error messages. */
  path: string;
  /** The run's seed, for samplers and random transforms. */
  seed: number;
}

/** Builds a dataloader from a `*_dataloader` config node (batch_size, sampler, dataset, ...). */
export type DataloaderFactory = (cfg: Record<string, unknown>, context: DataloaderContext) => Dataloader | Promise<Dataloader>;

/** The DI token of the `DataloaderFactory` service. */
export const DATALOADER_FACTORY: InjectionToken<DataloaderFactory> = Symbol.for('detlab.DataloaderFactory');

/** Whether `value` already is a dataloader (iterable with a length) rather than a config. */
export function isDataloader(value: unknown): value is Dataloader {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<symbol | string, unknown>;
  return typeof v.length === 'number' && (typeof v[Symbol.asyncIterator] === 'function' || typeof v[Symbol.iterator] === 'function');
}

/**
 * The dataloader of config value `cfg` at `path`: the value itself when it is one, else the factory's build.
 * Throws a `ConfigError` naming `path` for anything else, or when no factory is available.
 */
export async function buildDataloader(cfg: unknown, context: DataloaderContext, factory: DataloaderFactory | undefined): Promise<Dataloader> {
  if (isDataloader(cfg)) return cfg;
  if (!isPlainObject(cfg)) {
    throw new ConfigError(`${context.path}: expected a dataloader config (batch_size, sampler, dataset) or a dataloader, got ${describeValue(cfg)}`, {
      configPath: context.path,
    });
  }
  if (!factory) {
    throw new ConfigError(`${context.path}: no dataloader factory is registered to build it`, {
      configPath: context.path,
      hint: 'Register one on the run container: container.register(DATALOADER_FACTORY, { useValue: factory }).',
    });
  }
  const loader = await factory(cfg, context);
  if (!isDataloader(loader)) {
    throw new ConfigError(`${context.path}: the dataloader factory returned ${describeValue(loader)}, which is not iterable with a length`, {
      configPath: context.path,
    });
  }
  return loader;
}
