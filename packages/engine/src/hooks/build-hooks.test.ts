import { ConfigValidationError, HOOKS, Registry } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import '../index.js';
import { Hook } from './hook.js';
import { DEFAULT_HOOKS, buildHooks, mergeDefaultHooks } from './build-hooks.js';
import { CheckpointHook } from './checkpoint-hook.js';
import { LoggerHook } from './logger-hook.js';

const testHooks = new Registry('hook', { parent: HOOKS, scope: 'buildhookstest' });

@testHooks.register('MarkerHook')
class MarkerHook extends Hook {
  constructor(readonly options: { name?: string } = {}) {
    super();
  }
}

const names = (cfg: Parameters<typeof buildHooks>[0]) => buildHooks(cfg).hooks.map((h) => `${h.constructor.name}@${h.priority}`);

describe('buildHooks', () => {
  it('builds MMEngine\'s six default hooks, sorted by priority', () => {
    expect(Object.keys(DEFAULT_HOOKS)).toEqual(['runtime_info', 'timer', 'sampler_seed', 'logger', 'param_scheduler', 'checkpoint']);
    expect(names({})).toEqual([
      'RuntimeInfoHook@10',
      'IterTimerHook@50',
      'DistSamplerSeedHook@50',
      'LoggerHook@60',
      'ParamSchedulerHook@70',
      'CheckpointHook@90',
    ]);
  });

  it('merges default_hooks by key: a value replaces that default whole, null removes it, a new key adds one', () => {
    const list = buildHooks({
      default_hooks: { timer: null, logger: { type: 'LoggerHook', interval: 5, progress_bar: false }, marker: { type: 'MarkerHook', name: 'x' } },
    });
    expect(list.hooks.map((h) => h.constructor.name)).toEqual(['RuntimeInfoHook', 'DistSamplerSeedHook', 'MarkerHook', 'LoggerHook', 'ParamSchedulerHook', 'CheckpointHook']);
    expect(list.find(LoggerHook)!.options.interval).toBe(5);
    expect(list.find(CheckpointHook)!.options.interval).toBe(1);
    expect(mergeDefaultHooks({ checkpoint: null }).map((e) => e.key)).not.toContain('checkpoint');
  });

  it('adds custom_hooks after the defaults, placed by the priority their config gives', () => {
    expect(names({ default_hooks: { logger: null }, custom_hooks: [{ type: 'MarkerHook', priority: 'HIGHEST' }, { type: 'MarkerHook', priority: 95 }, new MarkerHook()] })).toEqual([
      'MarkerHook@0',
      'RuntimeInfoHook@10',
      'IterTimerHook@50',
      'DistSamplerSeedHook@50',
      'MarkerHook@50',
      'ParamSchedulerHook@70',
      'CheckpointHook@90',
      'MarkerHook@95',
    ]);
  });

  it('names the config path of a bad hook', () => {
    expect(() => buildHooks({ custom_hooks: [{ type: 'NoSuchHook' }] })).toThrow(/custom_hooks\.0\.type: 'NoSuchHook' is not in the detlab::hook registry/);
    expect(() => buildHooks({ default_hooks: { checkpoint: { type: 'CheckpointHook', intervl: 2 } } })).toThrow(ConfigValidationError);
    expect(() => buildHooks({ custom_hooks: [{ type: 'MarkerHook', priority: 'SOON' as never }] })).toThrow(/custom_hooks\.0\.priority: expected a priority name/);
    expect(() => buildHooks({ custom_hooks: {} as never })).toThrow('custom_hooks: expected a list of hooks, got object {}');
  });
});
