import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import '../index.js';
import { disposeRunCheckpoint, readRunCheckpoint } from '../checkpoint/checkpoint-file.js';
import { Runner } from '../runner/runner.js';
import { ToyLoader, ToyRegressor, tempDir, testServices, toyConfig, useCpu, values } from '../runner/__fixtures__/toy-run.js';
import { Hook } from './hook.js';
import { EMAHook } from './ema-hook.js';

beforeAll(useCpu);

/** Records the weights after each iteration, and the weights the model holds during validation. */
class WeightLog extends Hook {
  readonly afterIter: number[][] = [];
  readonly duringVal: number[][] = [];
  override afterTrainIter(runner: Runner): void {
    this.afterIter.push(values((runner.model as ToyRegressor).weight));
  }
  override beforeValIter(runner: Runner): void {
    this.duringVal.push(values((runner.model as ToyRegressor).weight));
  }
}

describe('EMAHook', () => {
  it("averages the weights with ExpMomentumEMA's momentum schedule and validates with the average", async () => {
    const log = new WeightLog();
    const ema = new EMAHook({ momentum: 0.1, gamma: 4 });
    ema.priority = 60; // after WeightLog (NORMAL), so the log sees the weights this iteration produced
    const cfg = toyConfig({ train_dataloader: new ToyLoader(3), val_dataloader: new ToyLoader(1), train_cfg: { max_epochs: 1 }, custom_hooks: [log, ema] });
    const runner = await Runner.fromConfig(cfg, { workDir: await tempDir(), ...testServices() });
    await runner.train();

    // Hand-computed: step 0 copies; then m_t = 0.9 · exp(-(1 + t) / 4) + 0.1 moves the average towards the weights.
    let average = log.afterIter[0];
    for (let t = 1; t < 3; t++) {
      const m = 0.9 * Math.exp(-(1 + t) / 4) + 0.1;
      average = average.map((a, i) => a + m * (log.afterIter[t][i] - a));
    }
    expect(ema.steps).toBe(3);
    log.duringVal[0].forEach((v, i) => expect(v).toBeCloseTo(average[i], 6));
    // After validation the model has its own weights back.
    expect(values((runner.model as ToyRegressor).weight)).toEqual(log.afterIter[2]);
    tf.dispose([...ema.average.values()]);
  });

  it('saves the average as state_dict and the raw weights as ema_state_dict, and a resume restores both', async () => {
    const root = await tempDir();
    const first = new EMAHook({ momentum: 0.2 });
    const a = await Runner.fromConfig(toyConfig({ train_cfg: { max_epochs: 1 }, val_dataloader: null, custom_hooks: [first] }), { workDir: root, ...testServices() });
    await a.train();
    const saved = await readRunCheckpoint(join(a.workDir, 'epoch_1.safetensors'));
    const raw = values((a.model as ToyRegressor).weight);
    const averaged = values(first.average.get('weight')!);
    expect(values(saved.state_dict.get('weight')!)).toEqual(averaged);
    expect(values((saved.ema_state_dict as Map<string, tf.Tensor>).get('module.weight')!)).toEqual(raw);
    disposeRunCheckpoint(saved);

    const second = new EMAHook({ momentum: 0.2 });
    const b = await Runner.fromConfig(toyConfig({ train_cfg: { max_epochs: 1 }, val_dataloader: null, custom_hooks: [second] }), {
      workDir: root,
      resume: true,
      ...testServices(),
    });
    await b.train(); // already at max_epochs: nothing to train, only the resume
    expect(values((b.model as ToyRegressor).weight)).toEqual(raw);
    expect(values(second.average.get('weight')!)).toEqual(averaged);
    expect(second.steps).toBe(first.steps);
  });
});
