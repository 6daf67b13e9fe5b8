import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { BatchNorm2d } from '../layers/batch-norm.js';
import { Conv2d } from '../layers/conv2d.js';
import { Module } from '../module/module.js';
import { setSeed } from '../module/random.js';
import { biasInitWithProb, fans } from './initializers.js';
import { initWeights } from './init-weights.js';

beforeAll(async () => {
  await initBackend('cpu');
  setSeed(0);
});

class Head extends Module {
  readonly cls = this.registerModule('cls', new Conv2d({ in_channels: 64, out_channels: 64, kernel_size: 3 }));
  readonly reg = this.registerModule('reg', new Conv2d({ in_channels: 64, out_channels: 64, kernel_size: 3 }));
  readonly bn = this.registerModule('bn', new BatchNorm2d({ num_features: 64 }));
}

function stats(t: tf.Tensor): { mean: number; std: number } {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
}

describe('initWeights', () => {
  it('computes fans of HWIO weights as PyTorch does of OIHW ones', () => {
    expect(fans([3, 3, 64, 128])).toEqual({ fanIn: 576, fanOut: 1152 });
    expect(fans([256, 10])).toEqual({ fanIn: 256, fanOut: 10 });
  });

  it('applies Kaiming (fan_out, relu) to the layers named, with std √(2/fan_out)', async () => {
    const head = new Head();
    head.initCfg = [
      { type: 'Kaiming', layer: 'Conv2d' },
      { type: 'Constant', layer: '_BatchNorm', val: 1 },
    ];
    await initWeights(head);
    const { mean, std } = stats(head.cls.weight);
    const expected = Math.sqrt(2 / (3 * 3 * 64)); // 0.0589
    expect(Math.abs(mean)).toBeLessThan(0.01 * expected * 10);
    expect(std / expected).toBeGreaterThan(0.95);
    expect(std / expected).toBeLessThan(1.05);
    expect(Array.from(head.cls.bias!.dataSync()).every((b) => b === 0)).toBe(true);
    expect(Array.from(head.bn.weight!.dataSync()).every((w) => w === 1)).toBe(true);
    head.dispose();
  });

  it('lets an override change one child, inheriting the initialiser (bias_prob → −log((1−p)/p))', async () => {
    const head = new Head();
    head.initCfg = { type: 'Normal', layer: 'Conv2d', std: 0.01, override: { name: 'cls', bias_prob: 0.01 } };
    await initWeights(head);
    expect(head.cls.bias!.dataSync()[0]).toBeCloseTo(-Math.log(99), 5); // −4.595
    expect(head.reg.bias!.dataSync()[0]).toBe(0);
    expect(stats(head.cls.weight).std).toBeCloseTo(0.01, 3);
    expect(biasInitWithProb(0.5)).toBeCloseTo(0, 12);
    head.dispose();
  });

  it("applies a child's own init_cfg after its parent's", async () => {
    const head = new Head();
    head.initCfg = { type: 'Constant', layer: 'Conv2d', val: 1 };
    head.reg.initCfg = { type: 'Constant', val: 2 };
    await initWeights(head);
    expect(head.cls.weight.dataSync()[0]).toBe(1);
    expect(head.reg.weight.dataSync()[0]).toBe(2);
    head.dispose();
  });

  it('names the missing child of an override', async () => {
    const head = new Head();
    head.initCfg = { type: 'Constant', val: 0, layer: 'Conv2d', override: { name: 'atss_cls' } };
    await expect(initWeights(head)).rejects.toThrow(/has no child 'atss_cls' \(children: cls, reg, bn\)/);
    head.dispose();
  });
});
