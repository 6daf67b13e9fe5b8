import { DetlabError } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import { Hook } from './hook.js';
import { HookList } from './hook-list.js';
import type { Runner } from '../runner/runner.js';

const runner = {} as Runner;

/** Appends `name:stage` to a shared log. */
function recorder(name: string, log: string[], priority?: number): Hook {
  class Recorder extends Hook {
    override beforeTrain(): void {
      log.push(`${name}:beforeTrain`);
    }
    override async afterTrainIter(_r: Runner, batchIdx: number): Promise<void> {
      await Promise.resolve();
      log.push(`${name}:afterTrainIter:${batchIdx}`);
    }
  }
  const hook = new Recorder();
  if (priority !== undefined) hook.priority = priority;
  return hook;
}

describe('HookList', () => {
  it('calls hooks by priority, lower first, and keeps registration order among equal priorities', async () => {
    const log: string[] = [];
    const list = new HookList();
    list.register(recorder('normal-1', log));
    list.register(recorder('low', log), 'LOW');
    list.register(recorder('very-high', log), 'VERY_HIGH');
    list.register(recorder('normal-2', log), 50);
    list.register(recorder('highest', log), 0);
    await list.call('beforeTrain', runner);
    expect(log).toEqual(['highest', 'very-high', 'normal-1', 'normal-2', 'low'].map((n) => `${n}:beforeTrain`));
  });

  it('awaits async hooks one after another and passes the stage arguments', async () => {
    const log: string[] = [];
    const list = new HookList();
    list.register(recorder('a', log));
    list.register(recorder('b', log));
    await list.call('afterTrainIter', runner, 7, undefined, { loss: 1 });
    expect(log).toEqual(['a:afterTrainIter:7', 'b:afterTrainIter:7']);
  });

  it('calls a stage only on the hooks that override it', async () => {
    const calls: string[] = [];
    class Spy extends Hook {
      override beforeRun(): void {
        calls.push('beforeRun');
      }
    }
    const list = new HookList();
    list.register(new Hook());
    list.register(new Spy());
    await list.call('beforeRun', runner);
    await list.call('afterRun', runner);
    expect(calls).toEqual(['beforeRun']);
  });

  it('wraps a failing hook with its name and the stage, keeping the cause', async () => {
    class Broken extends Hook {
      override afterTrainEpoch(): void {
        throw new TypeError('x is undefined');
      }
    }
    const list = new HookList();
    list.register(new Broken());
    const error = await list.call('afterTrainEpoch', runner).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DetlabError);
    expect((error as Error).message).toBe('[Broken] afterTrainEpoch failed: x is undefined');
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  it('rejects something that is not a Hook', () => {
    expect(() => new HookList().register({ beforeRun() {} } as unknown as Hook)).toThrow('HookList.register: expected an instance of Hook, got an instance of Object');
  });

  it('describes the order per stage with priority names', () => {
    const list = new HookList();
    list.register(recorder('a', []), 'VERY_HIGH');
    expect(list.describe()).toContain('beforeTrain:\n(VERY_HIGH   ) Recorder');
  });
});
