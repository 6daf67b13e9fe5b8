import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import '../index.js';
import { Runner } from '../runner/runner.js';
import { ToyLoader, tempDir, testServices, toyConfig, useCpu } from '../runner/__fixtures__/toy-run.js';

beforeAll(useCpu);
afterEach(() => vi.restoreAllMocks());

async function train(logger: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  const { services, logger: lines } = testServices();
  const runner = await Runner.fromConfig(
    toyConfig({ train_dataloader: new ToyLoader(5), train_cfg: { max_epochs: 2 }, default_hooks: { logger: { type: 'LoggerHook', ...logger } }, ...overrides }),
    { workDir: await tempDir(), services },
  );
  await runner.train();
  return lines.lines.filter((l) => l.startsWith('INFO Epoch(train)') || l.startsWith('INFO Iter(train)'));
}

describe('LoggerHook', () => {
  it('logs a plain MMEngine line every interval iterations within each epoch', async () => {
    const lines = await train({ interval: 2, progress_bar: false });
    expect(lines.map((l) => l.split('  ')[0])).toEqual(['INFO Epoch(train) [1][2/5]', 'INFO Epoch(train) [1][4/5]', 'INFO Epoch(train) [2][2/5]', 'INFO Epoch(train) [2][4/5]']);
    expect(lines[0]).toMatch(/^INFO Epoch\(train\) \[1\]\[2\/5\]  lr: 5\.0000e-02  eta: 0:00:\d\d  time: \d\.\d{4}  data_time: \d\.\d{4}  memory: \d+  loss: \d\.\d{4}  loss_mse: \d\.\d{4}$/);
  });

  it('also logs the last iteration of an epoch with ignore_last false', async () => {
    const lines = await train({ interval: 2, ignore_last: false, progress_bar: false });
    expect(lines.map((l) => l.split('  ')[0])).toContain('INFO Epoch(train) [1][5/5]');
  });

  it('counts whole-run iterations for iteration-based training', async () => {
    const lines = await train(
      { interval: 3, progress_bar: false },
      { train_cfg: { type: 'IterBasedTrainLoop', max_iters: 7, val_interval: 100 }, default_hooks: { logger: { type: 'LoggerHook', interval: 3, progress_bar: false }, checkpoint: null } },
    );
    expect(lines.map((l) => l.split('  ')[0])).toEqual(['INFO Iter(train) [3/7]', 'INFO Iter(train) [6/7]']);
  });

  it('draws a progress bar with epoch, iteration, ETA, lr and losses when asked to', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((text) => (written.push(String(text)), true));
    await train({ interval: 100, progress_bar: true });
    const bars = written.filter((w) => w.startsWith('\r\x1b[2KEpoch'));
    expect(bars[0]).toMatch(/^\r\x1b\[2KEpoch 1\/2 \[█{5}░{19}\] 1\/5 eta \d+:\d\d:\d\d {2}lr 5\.0000e-02 {2}loss \d\.\d{4} {2}loss_mse \d\.\d{4}/);
    expect(written).toContain('\n');
  });
});
