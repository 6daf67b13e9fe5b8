/**
 * The runner's side of building optimisation, in MMEngine's `Runner.train` order (mmdet-semantics §3.5): the
 * optim wrapper from `optim_wrapper`, then `auto_scale_lr`, then the schedulers from `param_scheduler` (which
 * record the scaled lr as their base). The builders themselves live in `optim/`.
 *
 * @example
 * const optimWrapper = buildRunnerOptimWrapper(runner.cfg, runner.model, { batchSize: 8, logger });
 * const schedulers = buildRunnerSchedulers(runner.cfg, optimWrapper, { epochLength: 100, maxEpochs: 12, maxIters: 1200 });
 */
import type { Logger } from '@detlab/core';
import type { Module } from '@detlab/tensor';
import { buildOptimWrapper, buildSchedulers, scaleLr, type OptimWrapper } from '../optim/index.js';
import type { ParamSchedulerLike } from './optim-contract.js';

/** The optim wrapper of `cfg.optim_wrapper` over `model`'s parameters, its lr scaled per `cfg.auto_scale_lr`. */
export function buildRunnerOptimWrapper(cfg: Record<string, unknown>, model: Module, context: { batchSize?: number; logger: Logger }): OptimWrapper {
  const optimWrapper = buildOptimWrapper(model, cfg.optim_wrapper);
  if (context.batchSize !== undefined) scaleLr(optimWrapper, cfg.auto_scale_lr as never, { batchSize: context.batchSize, logger: context.logger });
  return optimWrapper;
}

/** The schedulers of `cfg.param_scheduler` (none when unset), driving `optimWrapper`. */
export function buildRunnerSchedulers(
  cfg: Record<string, unknown>,
  optimWrapper: OptimWrapper,
  context: { epochLength: number; maxEpochs: number; maxIters: number },
): ParamSchedulerLike[] {
  return buildSchedulers(cfg.param_scheduler, optimWrapper, context);
}
