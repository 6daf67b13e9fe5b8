/**
 * How the runner turns `env_cfg.num_workers_train` into data-parallel training (see `data-parallel.ts`):
 * 1 (the default) keeps today's single-thread step; N > 1 or 'auto' (one per core) starts the replicas.
 *
 * @example
 * const dp = await dataParallelFromConfig(cfg, model, { seed: 0, logger }); // undefined for 1 replica
 */
import { ConfigError, describeValue, isPlainObject, normalizeConfig, type Logger } from '@detlab/core';
import { BACKEND_CHOICES, MAX_WASM_THREADS, resolveThreads, type BackendChoice } from '@detlab/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { availableParallelism } from 'node:os';
import type { TrainableModel } from '../trainable-model.js';
import { DataParallel } from './data-parallel.js';

const PATH = 'env_cfg.num_workers_train';

/** Replicas `env_cfg.num_workers_train` asks for: 1 when absent, the core count for 'auto'. */
export function trainReplicaCount(envCfg: unknown): number {
  const value = isPlainObject(envCfg) ? envCfg.num_workers_train : undefined;
  if (value === undefined || value === null) return 1;
  if (value === 'auto') return Math.max(1, availableParallelism());
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  throw new ConfigError(`${PATH}: expected a positive integer or 'auto', got ${describeValue(value)}`, { configPath: PATH });
}

/**
 * wasm threads per replica (`env_cfg.num_threads`): 'auto' (the default) shares the cores between the
 * replicas, so 2 replicas on 2 cores run one thread each; a number is used as written, in every replica.
 */
export function wasmThreadsFor(envCfg: unknown): number {
  const value = isPlainObject(envCfg) ? envCfg.num_threads : undefined;
  if (value === undefined || value === null || value === 'auto') {
    const cores = Math.min(availableParallelism(), MAX_WASM_THREADS);
    return Math.max(1, Math.floor(cores / trainReplicaCount(envCfg)));
  }
  if (typeof value !== 'number') {
    throw new ConfigError(`env_cfg.num_threads: expected an integer from 1 to ${MAX_WASM_THREADS} or 'auto', got ${describeValue(value)}`, { configPath: 'env_cfg.num_threads' });
  }
  return resolveThreads(value);
}

/** Whether the wasm convolutions run on oneDNN (`env_cfg.onednn`, default true; validated by the env_cfg schema). */
export function oneDnnFor(envCfg: unknown): boolean {
  return !(isPlainObject(envCfg) && envCfg.onednn === false);
}

/** Context of `dataParallelFromConfig`. */
export interface DataParallelContext {
  seed: number;
  configFile?: string;
  logger?: Logger;
}

/** The started `DataParallel` the config asks for, or undefined for single-thread training. */
export async function dataParallelFromConfig(cfg: Record<string, unknown>, model: TrainableModel, context: DataParallelContext): Promise<DataParallel | undefined> {
  const replicas = trainReplicaCount(cfg.env_cfg);
  if (replicas === 1) return undefined;
  if (!isPlainObject(cfg.model)) {
    throw new ConfigError(`${PATH}: ${replicas} replicas build their models from the model config, but model is ${describeValue(cfg.model)}`, {
      configPath: PATH,
      hint: 'Give model as a config ({ type, ... }) of a registered class, or set env_cfg.num_workers_train: 1.',
    });
  }
  const modelCfg = normalizeConfig(cfg).config.model as Record<string, unknown>;
  return DataParallel.start({
    model,
    modelCfg,
    replicas,
    customImports: cfg.custom_imports,
    configFile: context.configFile,
    backend: workerBackend(cfg.env_cfg),
    threads: wasmThreadsFor(cfg.env_cfg),
    onednn: oneDnnFor(cfg.env_cfg),
    seed: context.seed,
    logger: context.logger,
  });
}

/** The backend workers initialise: the one this thread runs on, when it is a choice `initBackend` knows. */
function workerBackend(envCfg: unknown): BackendChoice {
  const active = tf.getBackend() as BackendChoice;
  if (BACKEND_CHOICES.includes(active)) return active;
  const configured = isPlainObject(envCfg) ? envCfg.backend : undefined;
  return typeof configured === 'string' && BACKEND_CHOICES.includes(configured as BackendChoice) ? (configured as BackendChoice) : 'auto';
}
