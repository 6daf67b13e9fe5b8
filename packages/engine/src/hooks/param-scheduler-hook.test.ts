import { beforeAll, describe, expect, it } from 'vitest';
import '../index.js';
import { Runner } from '../runner/runner.js';
import { tempDir, testServices, toyConfig, useCpu } from '../runner/__fixtures__/toy-run.js';

beforeAll(useCpu);

describe('ParamSchedulerHook', () => {
  it('steps iteration schedulers after each iteration and epoch schedulers after each epoch', async () => {
    const cfg = toyConfig({
      val_dataloader: null,
      train_cfg: { max_epochs: 3 },
      param_scheduler: [
        { type: 'LinearLR', start_factor: 0.5, by_epoch: false, begin: 0, end: 3 },
        { type: 'MultiStepLR', milestones: [1, 2], gamma: 0.1, by_epoch: true },
      ],
    });
    const runner = await Runner.fromConfig(cfg, { workDir: await tempDir(), ...testServices() });
    await runner.train();
    const lrs = runner.messageHub.getScalar('train/lr')!.data();
    // Iterations 0..2 warm up linearly from 0.025 to 0.05; epoch 2 is ×0.1, epoch 3 ×0.01 (4 iterations each).
    expect(lrs.map((lr) => Number(lr.toPrecision(6)))).toEqual([0.025, 0.0375, 0.05, 0.05, 0.005, 0.005, 0.005, 0.005, 0.0005, 0.0005, 0.0005, 0.0005]);
  });
});
