import * as tf from '@tensorflow/tfjs-core';
import { countComplexity, initBackend } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { ResNet } from './resnet.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('ResNet complexity', () => {
  it('ResNet-50 at 224×224 is 4.1 GMACs ± 2% (torchvision/fvcore: 4.09 G) with 23.5 M parameters (25.6 M less the fc)', async () => {
    const net = new ResNet({ depth: 50 }).eval();
    try {
      const report = await countComplexity(net, () => tf.dispose(net.forward(tf.zeros([1, 224, 224, 3]))));
      expect(Math.abs(report.total.macs / 4.1e9 - 1)).toBeLessThan(0.02);
      expect(report.total.params).toBe(23_508_032);
      const stem = report.modules.find((m) => m.name === 'conv1')!;
      expect(stem.macs).toBe(7 * 7 * 3 * 64 * 112 * 112); // 118 M
      const layers = ['layer1', 'layer2', 'layer3', 'layer4'].map((name) => report.modules.find((m) => m.name === name)!.macs);
      expect(stem.macs + layers.reduce((a, b) => a + b)).toBe(report.total.macs);
    } finally {
      net.dispose();
    }
  }, 120_000); // one real forward pass of ResNet-50 on wasm: seconds on a loaded 2-core machine
});
