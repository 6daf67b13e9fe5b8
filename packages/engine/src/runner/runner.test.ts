import { RUNNERS } from '@detlab/core';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import '../index.js';
import { Hook } from '../hooks/hook.js';
import { TensorLeakGuardHook } from '../hooks/tensor-leak-guard-hook.js';
import { DATALOADER_FACTORY, type DataloaderFactory } from './dataloader.js';
import { Runner } from './runner.js';
import { RUN_FOLDER_PATTERN } from './work-dir.js';
import { ToyLoader, ToyMetric, ToyRegressor, tempDir, testServices, toyConfig, useCpu, values } from './__fixtures__/toy-run.js';

beforeAll(useCpu);

/** Records every training loss, in order. */
class LossRecorder extends Hook {
  readonly losses: number[] = [];
  override afterTrainIter(_r: Runner, _i: number, _b?: unknown, outputs?: Record<string, number>): void {
    this.losses.push(outputs!.loss);
  }
}

/** Stops training normally after `epochs` epochs, as if the run had been cut there. */
class StopAfter extends Hook {
  constructor(readonly epochs: number) {
    super();
  }
  override afterTrainEpoch(runner: Runner): void {
    if (runner.epoch + 1 === this.epochs) runner.trainLoop!.stopTraining = true;
  }
}

describe('Runner', () => {
  it('writes the dumped config, a text log, scalars.jsonl and checkpoints into a timestamped run folder', async () => {
    const root = await tempDir();
    const { services, logger } = testServices();
    const runner = await Runner.fromConfig(toyConfig({ custom_hooks: [new TensorLeakGuardHook({ warmup_iters: 1 })] }), {
      workDir: root,
      services,
      configFile: 'configs/toy_cfg.ts',
    });
    await runner.train();
    expect(runner.workDir.startsWith(root)).toBe(true);
    expect(RUN_FOLDER_PATTERN.test(runner.experimentName)).toBe(true);
    const files = (await readdir(runner.workDir)).sort();
    expect(files).toEqual(['epoch_1.safetensors', 'epoch_2.safetensors', 'epoch_3.safetensors', 'epoch_4.safetensors', 'last_checkpoint', 'scalars.jsonl', 'toy_cfg.json']);
    expect(logger.files).toEqual([join(runner.workDir, `${runner.experimentName}.log`)]);
    expect((await readFile(join(root, 'last_checkpoint'), 'utf8')).trim()).toBe(`${runner.experimentName}/epoch_4.safetensors`);
    const dumped = JSON.parse(await readFile(join(runner.workDir, 'toy_cfg.json'), 'utf8'));
    expect(dumped.train_cfg).toEqual({ type: 'EpochBasedTrainLoop', max_epochs: 4, val_interval: 1 });
    expect(dumped.model).toBe('<ToyRegressor object>');
    const scalars = (await readFile(join(runner.workDir, 'scalars.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(scalars.filter((s) => 'loss' in s).map((s) => s.step)).toEqual([...Array(16).keys()].map((i) => i + 1));
    expect(scalars.filter((s) => 'toy/mse' in s).map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(logger.lines).toContain(`INFO Epoch(val) [4][2/2]  toy/mse: ${scalars.at(-1)['toy/mse'].toFixed(4)}  data_time: ${scalars.at(-1).data_time.toFixed(4)}  time: ${scalars.at(-1).time.toFixed(4)}`);
  });

  it('continues the same loss trajectory and reaches the same weights when resumed (4 epochs vs 2 + resume 2)', async () => {
    const straight = new LossRecorder();
    const a = await Runner.fromConfig(toyConfig({ custom_hooks: [straight] }), { workDir: await tempDir(), ...testServices() });
    await a.train();

    const root = await tempDir();
    const first = new LossRecorder();
    const b = await Runner.fromConfig(toyConfig({ custom_hooks: [first, new StopAfter(2)] }), { workDir: root, ...testServices() });
    await b.train();
    expect(b.epoch).toBe(2);
    const second = new LossRecorder();
    const c = await Runner.fromConfig(toyConfig({ custom_hooks: [second] }), { workDir: root, resume: true, ...testServices() });
    await c.train();

    expect(second.losses).toHaveLength(8);
    expect([...first.losses, ...second.losses]).toEqual(straight.losses);
    expect(values((c.model as ToyRegressor).weight)).toEqual(values((a.model as ToyRegressor).weight));
    expect(values((c.model as ToyRegressor).bias)).toEqual(values((a.model as ToyRegressor).bias));
    expect(c.optimWrapper!.getLr()).toEqual(a.optimWrapper!.getLr());
    expect(c.messageHub.getScalar('train/loss')!.data()).toEqual(a.messageHub.getScalar('train/loss')!.data());
    expect(c.workDir).not.toBe(b.workDir);
  });

  it('load_from copies the weights only: training restarts at epoch 0 from those weights', async () => {
    const a = await Runner.fromConfig(toyConfig({ train_cfg: { max_epochs: 1 }, val_dataloader: null }), { workDir: await tempDir(), ...testServices() });
    await a.train();
    const checkpoint = join(a.workDir, 'epoch_1.safetensors');
    const { services, logger } = testServices();
    const b = await Runner.fromConfig(toyConfig({ load_from: checkpoint, val_dataloader: null }), { workDir: await tempDir(), services });
    const metrics = await b.val().catch((e: Error) => e.message);
    expect(metrics).toMatch(/val_dataloader/);
    const c = await Runner.fromConfig(toyConfig({ load_from: checkpoint }), { workDir: await tempDir(), services });
    const { 'toy/mse': mse } = await c.val();
    expect(values((c.model as ToyRegressor).weight)).toEqual(values((a.model as ToyRegressor).weight));
    expect(mse).toBeGreaterThan(0);
    expect(logger.lines.some((l) => l.startsWith(`INFO Loaded weights from ${checkpoint} (2 tensors)`))).toBe(true);
  });

  it('test() after a resumed train() evaluates the trained weights, not the checkpoint again', async () => {
    const root = await tempDir();
    await (await Runner.fromConfig(toyConfig({ train_cfg: { max_epochs: 1 }, val_dataloader: null }), { workDir: root, ...testServices() })).train();
    // No checkpoint in the resumed run: the newest one on disk stays epoch 1's, which test() must not load again.
    const cfg = toyConfig({ train_cfg: { max_epochs: 2 }, default_hooks: { checkpoint: null }, test_dataloader: new ToyLoader(1), test_evaluator: new ToyMetric() });
    const runner = await Runner.fromConfig(cfg, {
      workDir: root,
      resume: true,
      ...testServices(),
    });
    await runner.train();
    const trained = values((runner.model as ToyRegressor).weight);
    await runner.test();
    expect(values((runner.model as ToyRegressor).weight)).toEqual(trained);
  });

  it('test() runs the test loop with the test evaluator', async () => {
    const runner = await Runner.fromConfig(toyConfig({ test_dataloader: new ToyLoader(3, 4, 9), test_evaluator: new ToyMetric(), test_cfg: {} }), {
      workDir: await tempDir(),
      ...testServices(),
    });
    const metrics = await runner.test();
    expect(Object.keys(metrics)).toEqual(['toy/mse']);
    expect(runner.messageHub.getScalar('test/toy/mse')?.current()).toBe(metrics['toy/mse']);
  });

  it('builds dataloader configs through the DATALOADER_FACTORY service, with the seed, and closes them at the end', async () => {
    const { services } = testServices();
    const built: Array<{ cfg: unknown; seed: number; loader: ToyLoader & { closed?: boolean } }> = [];
    const factory: DataloaderFactory = (cfg, { seed }) => {
      const loader = Object.assign(new ToyLoader(cfg.batches as number), { close: () => void (loader.closed = true) }) as ToyLoader & { closed?: boolean };
      built.push({ cfg, seed, loader });
      return loader;
    };
    services.register(DATALOADER_FACTORY, { useValue: factory });
    const cfg = toyConfig({ train_dataloader: { batches: 3 }, val_dataloader: { batches: 1 }, randomness: { seed: 5 }, train_cfg: { max_epochs: 1 } });
    const runner = await Runner.fromConfig(cfg, { workDir: await tempDir(), services });
    await runner.train();
    expect(runner.iter).toBe(3);
    expect(built.map(({ cfg, seed, loader }) => [cfg, seed, loader.closed])).toEqual([
      [{ batches: 3 }, 5, true],
      [{ batches: 1 }, 5, true],
    ]);
  });

  it('builds the model from MODELS and the runner class from runner_type', async () => {
    class QuietRunner extends Runner {}
    RUNNERS.register(QuietRunner, { name: 'QuietRunner' });
    try {
      const runner = await Runner.fromConfig(toyConfig({ model: { type: 'enginetest.ToyRegressor' }, runner_type: 'QuietRunner' }), {
        workDir: await tempDir(),
        ...testServices(),
      });
      expect(runner).toBeInstanceOf(QuietRunner);
      expect(runner.model).toBeInstanceOf(ToyRegressor);
    } finally {
      RUNNERS.unregister('QuietRunner');
    }
  });

  it('rejects a model without loss and predict, naming the config path', async () => {
    const cfg = toyConfig({ model: { type: 'Conv2d', in_channels: 1, out_channels: 1, kernel_size: 1 } });
    await expect(Runner.fromConfig(cfg, { workDir: await tempDir(), ...testServices() })).rejects.toThrow(
      'model: expected a Module with loss(batch) and predict(batch) methods, got a Conv2d without loss and predict',
    );
  });

  it('the leak guard fails a run whose model keeps a tensor every iteration', async () => {
    const cfg = toyConfig({ model: new ToyRegressor({ leak: true }), custom_hooks: [{ type: 'TensorLeakGuardHook', warmup_iters: 2 }] });
    const runner = await Runner.fromConfig(cfg, { workDir: await tempDir(), ...testServices() });
    await expect(runner.train()).rejects.toThrow(/\[TensorLeakGuardHook\] live tensors grew from \d+ to \d+ \(\+1\) during iteration 3:/);
  });

  it('the NaN guard stops at the first NaN loss, naming the iteration and the loss key', async () => {
    const cfg = toyConfig({ model: new ToyRegressor({ nanFromCall: 3 }), custom_hooks: [{ type: 'CheckInvalidLossHook' }] });
    const runner = await Runner.fromConfig(cfg, { workDir: await tempDir(), ...testServices() });
    await expect(runner.train()).rejects.toThrow('[CheckInvalidLossHook] loss is NaN, loss_mse is NaN at iteration 3 (epoch 1, batch 3 of 4)');
  });
});
