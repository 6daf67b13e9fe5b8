import { FILE_ACCESS, NodeFileAccess } from '@detlab/core';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import '../index.js';
import { readRunCheckpoint, disposeRunCheckpoint } from '../checkpoint/checkpoint-file.js';
import { Runner } from '../runner/runner.js';
import { ScriptedMetric, tempDir, testServices, toyConfig, useCpu } from '../runner/__fixtures__/toy-run.js';
import { CheckpointHook } from './checkpoint-hook.js';

beforeAll(useCpu);

const checkpoints = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.safetensors')).sort();

async function train(checkpoint: Record<string, unknown>, overrides: Record<string, unknown> = {}, workDir?: string): Promise<Runner> {
  const cfg = toyConfig({ default_hooks: { logger: null, checkpoint: { type: 'CheckpointHook', ...checkpoint } }, ...overrides });
  const runner = await Runner.fromConfig(cfg, { workDir: workDir ?? (await tempDir()), ...testServices() });
  await runner.train();
  return runner;
}

describe('CheckpointHook', () => {
  it('saves every interval epochs and the last one', async () => {
    const runner = await train({ interval: 3 }, { train_cfg: { max_epochs: 4 } });
    expect(await checkpoints(runner.workDir)).toEqual(['epoch_3.safetensors', 'epoch_4.safetensors']);
  });

  it('keeps only max_keep_ckpts regular checkpoints, deleting the oldest after the new one is written', async () => {
    const runner = await train({ interval: 1, max_keep_ckpts: 2 }, { train_cfg: { max_epochs: 5 } });
    expect(await checkpoints(runner.workDir)).toEqual(['epoch_4.safetensors', 'epoch_5.safetensors']);
    expect(runner.messageHub.getInfo('keep_ckpt_ids')).toEqual([join(runner.workDir, 'epoch_4.safetensors'), join(runner.workDir, 'epoch_5.safetensors')]);
  });

  it('saves by iteration with by_epoch false, counting meta.iter as iterations done', async () => {
    const runner = await train({ interval: 6, by_epoch: false }, { train_cfg: { max_epochs: 2 } });
    expect(await checkpoints(runner.workDir)).toEqual(['iter_6.safetensors', 'iter_8.safetensors']);
    const saved = await readRunCheckpoint(join(runner.workDir, 'iter_6.safetensors'));
    expect([saved.meta.epoch, saved.meta.iter]).toEqual([1, 6]);
    disposeRunCheckpoint(saved);
  });

  it("save_best 'auto' keeps one best checkpoint of the first metric (greater is better for acc), without moving last_checkpoint", async () => {
    const runner = await train({ interval: 1, save_best: 'auto' }, { val_evaluator: new ScriptedMetric([0.5, 0.7, 0.6, 0.65]) });
    expect(await checkpoints(runner.workDir)).toContain('best_toy_acc_epoch_2.safetensors');
    expect((await checkpoints(runner.workDir)).filter((f) => f.startsWith('best_'))).toEqual(['best_toy_acc_epoch_2.safetensors']);
    expect(runner.messageHub.getInfo('best_score')).toBe(0.7);
    expect((await readFile(join(runner.workDir, 'last_checkpoint'), 'utf8')).trim()).toBe('epoch_4.safetensors');
    const best = await readRunCheckpoint(join(runner.workDir, 'best_toy_acc_epoch_2.safetensors'));
    expect(best.optimizer).toBeUndefined();
    disposeRunCheckpoint(best);
  });

  it('tracks several save_best keys, inferring less-is-better for loss keys', async () => {
    const runner = await train({ save_best: ['toy/acc', 'toy/loss'] }, { val_evaluator: new ScriptedMetric([0.5, 0.7, 0.6, 0.8]) });
    expect((await checkpoints(runner.workDir)).filter((f) => f.startsWith('best_'))).toEqual(['best_toy_acc_epoch_4.safetensors', 'best_toy_loss_epoch_4.safetensors']);
    expect(runner.messageHub.getInfo('best_score_toy/loss')).toBeCloseTo(0.2);
  });

  it('needs an explicit rule for a metric whose name does not tell', () => {
    const hook = new CheckpointHook({ save_best: 'toy/f1' });
    const runner = { messageHub: { getInfo: () => undefined }, logger: { warn() {} } } as unknown as Runner;
    return expect(hook.afterValEpoch(runner, { 'toy/f1': 0.4 })).rejects.toThrow("default_hooks.checkpoint.rule: cannot tell whether 'toy/f1' is better greater or less");
  });

  it('a run killed while saving can resume from the previous checkpoint', async () => {
    const root = await tempDir();
    const { services } = testServices();
    class DiesOnEpoch3 extends NodeFileAccess {
      override async writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
        if (path.endsWith('epoch_3.safetensors')) throw new Error('killed mid-save');
        return super.writeAtomic(path, data);
      }
    }
    services.register(FILE_ACCESS, { useValue: new DiesOnEpoch3() });
    const crashed = await Runner.fromConfig(toyConfig({ default_hooks: { logger: null } }), { workDir: root, services });
    await expect(crashed.train()).rejects.toThrow('killed mid-save');
    const resumed = await Runner.fromConfig(toyConfig({ default_hooks: { logger: null } }), { workDir: root, resume: true, ...testServices() });
    await resumed.train();
    expect(resumed.iter).toBe(16);
    expect(await checkpoints(resumed.workDir)).toEqual(['epoch_3.safetensors', 'epoch_4.safetensors']);
  });
});
