import { describe, expect, it } from 'vitest';
import { HOOK_STAGES, Hook, endOfEpoch, everyNEpochs, everyNInnerIters, everyNTrainIters, isLastTrainEpoch, isLastTrainIter, triggeredStages } from './hook.js';
import type { Runner } from '../runner/runner.js';

const at = (epoch: number, iter: number, maxEpochs = 4, maxIters = 40) => ({ epoch, iter, maxEpochs, maxIters }) as unknown as Runner;

describe('Hook', () => {
  it('has the 22 MMEngine hook points, each a no-op by default', async () => {
    expect(HOOK_STAGES).toHaveLength(22);
    const hook = new Hook();
    for (const stage of HOOK_STAGES) {
      expect(typeof hook[stage]).toBe('function');
      expect((hook[stage] as (...a: unknown[]) => unknown)(at(0, 0))).toBeUndefined();
    }
  });

  it('starts at its class default priority (NORMAL for Hook)', () => {
    class Late extends Hook {
      static override readonly defaultPriority = 'LOW';
    }
    expect(new Hook().priority).toBe(50);
    expect(new Late().priority).toBe(70);
  });

  it('reports only the hook points a subclass overrides as triggered', () => {
    class OnlyEpochs extends Hook {
      override beforeTrainEpoch(): void {}
      override afterValEpoch(): void {}
    }
    expect(triggeredStages(new OnlyEpochs())).toEqual(['beforeTrainEpoch', 'afterValEpoch']);
    expect(triggeredStages(new Hook())).toEqual([]);
  });
});

describe('hook predicates', () => {
  it('everyNEpochs counts finished epochs from start', () => {
    expect([0, 1, 2, 3].map((e) => everyNEpochs(at(e, 0), 2))).toEqual([false, true, false, true]);
    expect([0, 1, 2, 3].map((e) => everyNEpochs(at(e, 0), 1, 2))).toEqual([false, false, true, true]);
    expect(everyNEpochs(at(1, 0), -1)).toBe(false);
  });

  it('everyNTrainIters and everyNInnerIters count finished iterations', () => {
    expect([0, 1, 2, 3, 4, 5].map((i) => everyNTrainIters(at(0, i), 3))).toEqual([false, false, true, false, false, true]);
    expect([0, 1, 2, 3].map((b) => everyNInnerIters(b, 2))).toEqual([false, true, false, true]);
  });

  it('tells the last batch, epoch and iteration', () => {
    expect(endOfEpoch(10, 9)).toBe(true);
    expect(endOfEpoch(10, 8)).toBe(false);
    expect(isLastTrainEpoch(at(3, 0))).toBe(true);
    expect(isLastTrainEpoch(at(2, 0))).toBe(false);
    expect(isLastTrainIter(at(3, 39))).toBe(true);
  });
});
