/**
 * `buildSchedulers(cfgs, optimWrapper, options)`: the schedulers a config's `param_scheduler` lists; mirrors
 * MMEngine's `Runner.build_param_scheduler` for one optimizer.
 *
 * A scheduler without `end` gets the train loop's length (max_epochs when by_epoch, else max_iters) when the
 * options give it, as MMEngine's runner does; `epoch_length` is passed for `convert_to_iter_based`. Build them
 * after the optim wrapper (and after `scaleLr`), before loading a checkpoint's optimizer and scheduler states.
 *
 * @example
 * const schedulers = buildSchedulers(cfg.param_scheduler, optimWrapper, { epochLength: 100, maxEpochs: 12 });
 */
import { ConfigError, PARAM_SCHEDULERS, describeValue, isPlainObject, joinConfigPath } from '@detlab/core';
import type { ParamGroupsOwner } from '../optimizer/param-group.js';
import { ParamScheduler } from './param-scheduler.js';

/**
 * What `buildSchedulers` needs from the run.
 *
 * @example
 * const options: BuildSchedulersOptions = { epochLength: trainDataloader.length, maxEpochs: 12 };
 */
export interface BuildSchedulersOptions {
  /** Iterations per epoch (the train dataloader's length), for convert_to_iter_based. */
  epochLength?: number;
  /** Default `end` of epoch-based schedulers that set none. */
  maxEpochs?: number;
  /** Default `end` of iteration-based schedulers that set none. */
  maxIters?: number;
  /** Config path for errors (default 'param_scheduler'). */
  path?: string;
}

/**
 * Builds each scheduler config (one or a list; null gives none) against `optimizer`; built schedulers pass through.
 *
 * @example
 * buildSchedulers([{ type: 'LinearLR', start_factor: 0.001, by_epoch: false, end: 500 },
 *   { type: 'MultiStepLR', milestones: [8, 11], by_epoch: true, end: 12 }], optimWrapper);
 */
export function buildSchedulers(cfgs: unknown, optimizer: ParamGroupsOwner, options: BuildSchedulersOptions = {}): ParamScheduler[] {
  const base = options.path ?? 'param_scheduler';
  if (cfgs === null || cfgs === undefined) return [];
  const list: unknown[] = Array.isArray(cfgs) ? cfgs : [cfgs];
  return list.map((cfg, i) => {
    if (cfg instanceof ParamScheduler) return cfg;
    const path = Array.isArray(cfgs) ? joinConfigPath(base, i) : base;
    if (!isPlainObject(cfg)) {
      throw new ConfigError(`${path}: expected a scheduler config such as { type: 'MultiStepLR', milestones: [8, 11] }, got ${describeValue(cfg)}`, {
        configPath: path,
      });
    }
    const defaultEnd = cfg.by_epoch === false ? options.maxIters : options.maxEpochs;
    const defaults: Record<string, unknown> = { optimizer };
    if (options.epochLength !== undefined) defaults.epoch_length = options.epochLength;
    if (defaultEnd !== undefined) defaults.end = defaultEnd;
    return PARAM_SCHEDULERS.build<ParamScheduler>(cfg, { defaults, path });
  });
}
