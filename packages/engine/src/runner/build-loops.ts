/**
 * Building loops from `train_cfg`, `val_cfg` and `test_cfg` (LOOPS), as MMEngine's `Runner.build_*_loop`.
 *
 * A loop config names its class with `type`; a `train_cfg` without one picks by `by_epoch` (default true):
 * `{ by_epoch: true, max_epochs }` is an EpochBasedTrainLoop, `{ by_epoch: false, max_iters }` an
 * IterBasedTrainLoop. Val and test configs default to ValLoop and TestLoop. The options are validated
 * against the loop's schema at the loop's config path, then the class is built with the runner's deps.
 *
 * @example
 * buildLoop({ type: 'EpochBasedTrainLoop', max_epochs: 2 }, 'train_cfg', 'EpochBasedTrainLoop', { runner, dataloader });
 */
import { ConfigError, LOOPS, describeValue, isPlainObject, joinConfigPath, parseOptions, withDefaultScope } from '@detlab/core';
import type { Loop, LoopDeps } from '../loops/loop-deps.js';

/** The loop class a config without `type` gets, by config key. */
export function defaultLoopType(key: 'train_cfg' | 'val_cfg' | 'test_cfg', cfg: Record<string, unknown>): string {
  if (key === 'val_cfg') return 'ValLoop';
  if (key === 'test_cfg') return 'TestLoop';
  return cfg.by_epoch === false ? 'IterBasedTrainLoop' : 'EpochBasedTrainLoop';
}

/** Builds the loop `cfg` (at config path `key`) describes; see the file comment. */
export function buildLoop<L extends Loop>(cfg: unknown, key: 'train_cfg' | 'val_cfg' | 'test_cfg', deps: LoopDeps): L {
  const node = cfg ?? {};
  if (!isPlainObject(node)) {
    throw new ConfigError(`${key}: expected a loop config (an object), got ${describeValue(node)}`, { configPath: key });
  }
  // `_scope_` (set on a plugin's base config) picks the scope the loop's name is looked up in, as in LOOPS.build.
  const { type, by_epoch: _byEpoch, _scope_: scope, ...options } = node;
  const name = type ?? defaultLoopType(key, node);
  if (typeof name !== 'string') {
    throw new ConfigError(`${joinConfigPath(key, 'type')}: expected the name of a loop in LOOPS, got ${describeValue(name)}`, {
      configPath: joinConfigPath(key, 'type'),
    });
  }
  const entry = withDefaultScope(typeof scope === 'string' ? scope : undefined, () => LOOPS.resolve(name, joinConfigPath(key, 'type')));
  const parsed = entry.schema ? parseOptions(entry.schema, options, key) : options;
  return new (entry.target as new (options: unknown, deps: LoopDeps) => L)(parsed, deps);
}
