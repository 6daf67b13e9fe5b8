import { describe, expect, it } from 'vitest';
import { expectSameValue, lrOwner } from '../__fixtures__/toy.js';
import { buildSchedulers } from './build-schedulers.js';
import './linear-lr.js';
import './multi-step-lr.js';
import type { ParamScheduler } from './param-scheduler.js';

// mmdet's schedule_1x with iteration-based warm-up: 12 epochs of 100 iterations here.
const schedule1x = [
  { type: 'LinearLR', start_factor: 0.001, by_epoch: false, begin: 0, end: 500 },
  { type: 'MultiStepLR', begin: 0, end: 12, by_epoch: true, milestones: [8, 11], gamma: 0.1 },
];
const epochLength = 100;
const base = 0.02;

/** The closed form of the chained schedule at a global iteration. */
function closedForm(iter: number): number {
  const warmup = iter < 500 ? 0.001 + (0.999 * iter) / 499 : 1;
  const epoch = Math.floor(iter / epochLength);
  const decays = [8, 11].filter((m) => epoch >= m).length;
  return base * warmup * 0.1 ** decays;
}

/** Runs iterations [from, to) as ParamSchedulerHook does: iteration schedulers after each iteration, epoch ones after each epoch. */
function train(schedulers: ParamScheduler[], owner: ReturnType<typeof lrOwner>, from: number, to: number, seen: number[]): void {
  for (let iter = from; iter < to; iter++) {
    seen[iter] = owner.paramGroups[0].hyper.lr;
    for (const s of schedulers) if (!s.byEpoch) s.step();
    if ((iter + 1) % epochLength === 0) for (const s of schedulers) if (s.byEpoch) s.step();
  }
}

describe('buildSchedulers', () => {
  it("chains LinearLR warm-up (by iteration) and MultiStepLR (by epoch) into mmdet's schedule_1x curve", () => {
    const owner = lrOwner(base);
    const schedulers = buildSchedulers(schedule1x, owner, { epochLength });
    const seen: number[] = [];
    train(schedulers, owner, 0, 12 * epochLength, seen);
    for (const iter of [0, 1, 250, 499, 500, 800, 1100]) expectSameValue(seen[iter], closedForm(iter));
    seen.forEach((lr, iter) => expectSameValue(lr, closedForm(iter)));
    expectSameValue(seen[0], 2e-5);
    expectSameValue(seen[800], 0.002);
    expectSameValue(seen[1100], 0.0002);
  });

  it('resumes from state dicts onto the same curve (optimizer groups restored after building, as MMEngine)', () => {
    const owner = lrOwner(base);
    const schedulers = buildSchedulers(schedule1x, owner, { epochLength });
    const seen: number[] = [];
    train(schedulers, owner, 0, 350, seen);
    const savedGroups = JSON.parse(JSON.stringify(owner.paramGroups));
    const savedStates = schedulers.map((s) => JSON.parse(JSON.stringify(s.stateDict())));

    const resumed = lrOwner(base);
    const rebuilt = buildSchedulers(schedule1x, resumed, { epochLength }); // construction steps once...
    resumed.paramGroups[0].hyper = savedGroups[0].hyper; // ...then the optimizer state restores lr and initial_lr
    rebuilt.forEach((s, i) => s.loadStateDict(savedStates[i]));
    train(rebuilt, resumed, 350, 12 * epochLength, seen);
    seen.forEach((lr, iter) => expectSameValue(lr, closedForm(iter)));
  });

  it('gives schedulers without end the loop length: max_epochs by epoch, max_iters by iteration', () => {
    const [byEpoch, byIter] = buildSchedulers(
      [
        { type: 'MultiStepLR', milestones: [1] },
        { type: 'LinearLR', by_epoch: false },
      ],
      lrOwner(1),
      { maxEpochs: 12, maxIters: 1200 },
    );
    expect([byEpoch.end, byIter.end]).toEqual([12, 1200]);
  });

  it('converts an epoch-based warm-up to iterations with convert_to_iter_based', () => {
    const [s] = buildSchedulers({ type: 'LinearLR', start_factor: 0.1, by_epoch: true, begin: 0, end: 1, convert_to_iter_based: true }, lrOwner(1), {
      epochLength: 50,
    });
    expect([s.byEpoch, s.begin, s.end]).toEqual([false, 0, 50]);
  });

  it('names the config path of a bad scheduler', () => {
    expect(() => buildSchedulers([schedule1x[0], { type: 'MultiStepLR', milestones: 8 }], lrOwner(1))).toThrow(/param_scheduler\.1\.milestones: expected array, got 8/);
    expect(() => buildSchedulers([{ type: 'StepLR' }], lrOwner(1))).toThrow(/param_scheduler\.0\.type: 'StepLR' is not in/);
  });

  it('returns nothing for a null param_scheduler', () => {
    expect(buildSchedulers(null, lrOwner(1))).toEqual([]);
  });
});
