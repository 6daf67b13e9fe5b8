import { beforeAll, describe, expect, it } from 'vitest';
import '../index.js';
import { Hook } from '../hooks/hook.js';
import { Runner } from '../runner/runner.js';
import { ToyLoader, tempDir, testServices, toyConfig, useCpu } from '../runner/__fixtures__/toy-run.js';

beforeAll(useCpu);

class Events extends Hook {
  readonly log: string[] = [];
  override beforeTrainEpoch(): void {
    this.log.push('beforeTrainEpoch');
  }
  override afterTrainEpoch(): void {
    this.log.push('afterTrainEpoch');
  }
  override beforeVal(runner: Runner): void {
    this.log.push(`val@${runner.iter}`);
  }
}

describe('IterBasedTrainLoop', () => {
  it('reads the dataloader endlessly, calling setEpoch on each new pass, and validates every val_interval iterations', async () => {
    const loader = new ToyLoader(3);
    const events = new Events();
    const runner = await Runner.fromConfig(
      toyConfig({
        train_dataloader: loader,
        train_cfg: { type: 'IterBasedTrainLoop', max_iters: 10, val_interval: 4 },
        param_scheduler: null,
        default_hooks: { checkpoint: { type: 'CheckpointHook', by_epoch: false, interval: 5 }, logger: { type: 'LoggerHook', progress_bar: false } },
        custom_hooks: [events],
      }),
      { workDir: await tempDir(), ...testServices() },
    );
    await runner.train();
    expect(runner.iter).toBe(10);
    expect(events.log).toEqual(['beforeTrainEpoch', 'val@4', 'val@8', 'val@10', 'afterTrainEpoch']);
    // DistSamplerSeedHook's setEpoch(0), then one per new pass: batches 3, 6, 9 start passes 1, 2, 3.
    expect(loader.setEpochCalls).toEqual([0, 1, 2, 3]);
  });

  it('skips the batches a resumed run already trained on', async () => {
    const root = await tempDir();
    const cfg = () =>
      toyConfig({
        train_dataloader: new ToyLoader(3),
        train_cfg: { type: 'IterBasedTrainLoop', max_iters: 5, val_interval: 100 },
        val_dataloader: null,
        param_scheduler: null,
        default_hooks: { checkpoint: { type: 'CheckpointHook', by_epoch: false, interval: 4, save_last: false } },
      });
    const first = await Runner.fromConfig({ ...cfg(), train_cfg: { type: 'IterBasedTrainLoop', max_iters: 4 } }, { workDir: root, ...testServices() });
    await first.train();
    const { services, logger } = testServices();
    const resumed = await Runner.fromConfig(cfg(), { workDir: root, resume: true, services });
    await resumed.train();
    expect(resumed.iter).toBe(5);
    expect(logger.lines).toContain('INFO Advance dataloader 4 steps to skip data that has already been trained');
  });
});
