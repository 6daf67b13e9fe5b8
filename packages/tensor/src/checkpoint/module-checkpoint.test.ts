import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { initWeights } from '../init/init-weights.js';
import { BatchNorm2d } from '../layers/batch-norm.js';
import { Conv2d } from '../layers/conv2d.js';
import { Module } from '../module/module.js';
import { encodeSafetensors } from './safetensors.js';
import { loadModule, saveModule } from './module-checkpoint.js';

let dir: string;
beforeAll(async () => {
  await initBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'detlab-module-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

class Tiny extends Module {
  readonly conv = this.registerModule('conv', new Conv2d({ in_channels: 2, out_channels: 3, kernel_size: 2 }));
  readonly bn = this.registerModule('bn', new BatchNorm2d({ num_features: 3 }));
}

describe('module checkpoints', () => {
  it('round-trips every parameter and buffer bit-exactly', async () => {
    const a = new Tiny();
    a.bn.forward(tf.randomNormal([2, 2, 2, 3]) as tf.Tensor4D); // moves the running stats off their init
    const path = join(dir, 'tiny.safetensors');
    await saveModule(path, a, { epoch: 3 });
    const b = new Tiny();
    const { report, metadata } = await loadModule(path, b);
    expect(metadata).toEqual({ epoch: 3 });
    expect(report.missingKeys).toEqual([]);
    for (const [name, t] of a.stateDict()) {
      expect(Buffer.from(b.stateDict().get(name)!.dataSync().buffer)).toEqual(Buffer.from(t.dataSync().buffer));
    }
    await saveModule(join(dir, 'again.safetensors'), b, { epoch: 3 });
    expect(await readFile(join(dir, 'again.safetensors'))).toEqual(await readFile(path));
    a.dispose();
    b.dispose();
  });

  it('loads a PyTorch-layout (OIHW) state dict and computes what PyTorch would (hand-checked)', async () => {
    // PyTorch conv weight [out=1, in=2, kh=1, kw=2]: w[0, ci, 0, kx] = 1 + ci·2 + kx → in-channel 0: [1, 2], 1: [3, 4].
    const file = encodeSafetensors(
      new Map([
        ['weight', { dtype: 'F32' as const, shape: [1, 2, 1, 2], data: Float32Array.from([1, 2, 3, 4]) }],
        ['bias', { dtype: 'F32' as const, shape: [1], data: Float32Array.from([0.5]) }],
      ]),
    );
    const path = join(dir, 'torch.safetensors');
    await writeFile(path, file);
    const conv = new Conv2d({ in_channels: 2, out_channels: 1, kernel_size: [1, 2] });
    await loadModule(path, conv);
    expect(conv.weight.shape).toEqual([1, 2, 2, 1]);
    // Input 1×1×2 pixels × 2 channels, NHWC: pixel 0 = (c0 10, c1 100), pixel 1 = (c0 20, c1 200).
    const y = conv.forward(tf.tensor4d([10, 100, 20, 200], [1, 1, 2, 2]));
    // PyTorch: Σ_ci Σ_kx x[ci, kx]·w[ci, kx] + b = 10·1 + 20·2 + 100·3 + 200·4 + 0.5.
    expect(Array.from(y.dataSync())).toEqual([1150.5]);
    conv.dispose();
  });

  it('loads a prefix of a bigger checkpoint through init_cfg Pretrained, reporting missing keys', async () => {
    const whole = new Tiny();
    const path = join(dir, 'detector.safetensors');
    const detector = new (class extends Module {
      readonly backbone = this.registerModule('backbone', whole);
    })();
    await saveModule(path, detector);
    const conv = new Conv2d({ in_channels: 2, out_channels: 3, kernel_size: 2 });
    conv.initCfg = { type: 'Pretrained', checkpoint: path, prefix: 'backbone.conv' };
    const [report] = await initWeights(conv);
    expect(report!.loaded.sort()).toEqual(['bias', 'weight']);
    expect(Array.from(conv.weight.dataSync())).toEqual(Array.from(whole.conv.weight.dataSync()));
    detector.dispose();
    conv.dispose();
  });
});
