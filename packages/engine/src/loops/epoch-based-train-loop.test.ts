import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../index.js';
import { HOOK_STAGES, Hook, type HookStage } from '../hooks/hook.js';
import { Runner } from '../runner/runner.js';
import { ToyLoader, tempDir, testServices, toyConfig, useCpu } from '../runner/__fixtures__/toy-run.js';

beforeAll(useCpu);

/** Records every hook point it sees, with the batch index for iteration points. */
class StageRecorder extends Hook {
  readonly seen: string[] = [];
  constructor() {
    super();
    for (const stage of HOOK_STAGES) {
      (this as unknown as Record<HookStage, (...args: unknown[]) => void>)[stage] = (_runner: unknown, arg?: unknown) =>
        this.seen.push(stage.endsWith('Iter') ? `${stage}(${arg as number})` : stage);
    }
  }
}

async function trainWith(overrides: Record<string, unknown>): Promise<{ runner: Runner; seen: string[] }> {
  const recorder = new StageRecorder();
  const runner = await Runner.fromConfig(toyConfig({ custom_hooks: [recorder], ...overrides }), { workDir: await tempDir(), ...testServices() });
  await runner.train();
  return { runner, seen: recorder.seen };
}

describe('EpochBasedTrainLoop', () => {
  it('calls the hooks in MMEngine\'s order: run, train, epochs of iterations, checkpoint, validation', async () => {
    const { seen } = await trainWith({
      train_dataloader: new ToyLoader(2),
      val_dataloader: new ToyLoader(1),
      train_cfg: { type: 'EpochBasedTrainLoop', max_epochs: 2 },
    });
    const epoch = [
      'beforeTrainEpoch',
      'beforeTrainIter(0)',
      'afterTrainIter(0)',
      'beforeTrainIter(1)',
      'afterTrainIter(1)',
      'afterTrainEpoch',
      'beforeSaveCheckpoint',
      'beforeVal',
      'beforeValEpoch',
      'beforeValIter(0)',
      'afterValIter(0)',
      'afterValEpoch',
      'afterVal',
    ];
    expect(seen).toEqual(['beforeRun', 'beforeTrain', ...epoch, ...epoch, 'afterTrain', 'afterRun']);
  });

  it('validates from val_begin every val_interval epochs, and after the last epoch', async () => {
    const { runner, seen } = await trainWith({ train_cfg: { type: 'EpochBasedTrainLoop', max_epochs: 7, val_begin: 2, val_interval: 3 } });
    expect(seen.filter((s) => s === 'afterValEpoch')).toHaveLength(3);
    expect(runner.messageHub.getScalar('val/toy/mse')!.data()).toHaveLength(3);
    const validatedAfter: number[] = [];
    let epochs = 0;
    for (const s of seen) {
      if (s === 'afterTrainEpoch') epochs += 1;
      if (s === 'beforeVal') validatedAfter.push(epochs);
    }
    expect(validatedAfter).toEqual([3, 6, 7]);
  });

  it('leaves the live tensor count unchanged by each iteration once the optimizer has its state', async () => {
    const counts: number[] = [];
    class CountTensors extends Hook {
      override beforeTrainIter(): void {
        counts.push(tf.memory().numTensors);
      }
      override afterTrainEpoch(): void {
        counts.push(tf.memory().numTensors);
      }
    }
    await trainWith({ val_dataloader: null, custom_hooks: [new CountTensors()] });
    // The first iteration creates SGD's momentum buffers (2 variables); nothing grows afterwards.
    expect(counts[1] - counts[0]).toBe(2);
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('frees what a val iteration leaves (the toy predict allocates without tf.tidy)', async () => {
    const runner = await Runner.fromConfig(toyConfig(), { workDir: await tempDir(), ...testServices() });
    await runner.val(); // first run: nothing lazily created remains to count
    const before = tf.memory().numTensors;
    await runner.val();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a train_cfg with an unknown key, naming its path', async () => {
    const runner = await Runner.fromConfig(toyConfig({ train_cfg: { type: 'EpochBasedTrainLoop', max_epoch: 3 } }), {
      workDir: await tempDir(),
      ...testServices(),
    });
    await expect(runner.train()).rejects.toThrow(/train_cfg\.max_epochs: .*\n.*train_cfg\.max_epoch/s);
  });
});
