import { beforeAll, describe, expect, it } from 'vitest';
import '../index.js';
import { Runner } from '../runner/runner.js';
import { ScriptedMetric, tempDir, testServices, toyConfig, useCpu } from '../runner/__fixtures__/toy-run.js';
import { EarlyStoppingHook } from './early-stopping-hook.js';

beforeAll(useCpu);

async function run(metric: number[], options: ConstructorParameters<typeof EarlyStoppingHook>[0]) {
  const { services, logger } = testServices();
  const hook = new EarlyStoppingHook(options);
  const runner = await Runner.fromConfig(toyConfig({ train_cfg: { max_epochs: 10 }, val_evaluator: new ScriptedMetric(metric), custom_hooks: [hook] }), {
    workDir: await tempDir(),
    services,
  });
  await runner.train();
  return { runner, hook, logger };
}

describe('EarlyStoppingHook', () => {
  it('stops after patience validations without an improvement larger than min_delta, finishing the run normally', async () => {
    const { runner, hook, logger } = await run([0.5, 0.6, 0.61, 0.62, 0.7], { monitor: 'toy/acc', patience: 2, min_delta: 0.05 });
    expect(runner.epoch).toBe(4);
    expect(hook.bestScore).toBe(0.6);
    expect(logger.lines).toContain('INFO [EarlyStoppingHook] stopping training after epoch 4: toy/acc did not improve by more than 0.05 in the last 2 validations (best 0.6)');
  });

  it('infers less-is-better for loss keys and stops at once past stopping_threshold', async () => {
    const { runner } = await run([0.5, 0.6, 0.95, 0.97], { monitor: 'toy/loss', stopping_threshold: 0.1 });
    expect(runner.epoch).toBe(3);
  });

  it('keeps best score and wait count in its state', () => {
    const hook = new EarlyStoppingHook({ monitor: 'toy/acc' });
    hook.loadStateDict({ best_score: 0.4, wait_count: 3 });
    expect(hook.stateDict()).toEqual({ best_score: 0.4, wait_count: 3 });
    expect(hook.stateKey).toBe('EarlyStoppingHook');
  });

  it('needs a rule for a key whose name does not tell', () => {
    expect(() => new EarlyStoppingHook({ monitor: 'toy/f1' })).toThrow("cannot tell whether 'toy/f1' is better greater or less");
  });
});
