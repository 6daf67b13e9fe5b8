import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { FPN } from '@detlab/models';
import { initBackend, initWeights } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { MobileNetV2, makeDivisible } from './mobilenet-v2.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Parameters of torchvision's mobilenet_v2().features, counted from the architecture, independently of the code. */
function torchvisionFeatureParams(): number {
  const conv = (cin: number, cout: number, k: number, groups = 1) => k * k * (cin / groups) * cout + 2 * cout; // conv (no bias) + BN
  let total = conv(3, 32, 3);
  let cin = 32;
  for (const [t, c, n] of [[1, 16, 1], [6, 24, 2], [6, 32, 3], [6, 64, 4], [6, 96, 3], [6, 160, 3], [6, 320, 1]] as const) {
    for (let i = 0; i < n; i += 1) {
      const hidden = cin * t;
      if (t !== 1) total += conv(cin, hidden, 1);
      total += conv(hidden, hidden, 3, hidden) + conv(hidden, c, 1);
      cin = c;
    }
  }
  return total + conv(320, 1280, 1);
}

describe('MobileNetV2', () => {
  it("has torchvision's mobilenet_v2 features parameter count at width 1 (2,223,872)", () => {
    expect(torchvisionFeatureParams()).toBe(2_223_872);
    const net = new MobileNetV2();
    expect(net.parameterCount()).toBe(2_223_872);
    net.dispose();
  });

  it('uses mmdet parameter names', () => {
    const net = new MobileNetV2({ widen_factor: 0.25 });
    const names = net.namedParameters().map(([name]) => name);
    expect(names.slice(0, 3)).toEqual(['conv1.conv.weight', 'conv1.bn.weight', 'conv1.bn.bias']);
    expect(names).toContain('layer1.0.depthwise_conv.conv.weight');
    expect(names).not.toContain('layer1.0.expand_conv.conv.weight'); // expand ratio 1
    expect(names).toContain('layer2.1.expand_conv.conv.weight');
    expect(names).toContain('layer7.0.linear_conv.bn.bias');
    expect(names.at(-1)).toBe('conv2.bn.bias');
    expect(net.namedBuffers().map(([name]) => name)).toContain('layer3.2.depthwise_conv.bn.running_mean');
    net.dispose();
  });

  it('rounds widths as mmdet make_divisible does', () => {
    expect([32, 16, 24, 32, 64, 96, 160, 320].map((c) => makeDivisible(c * 0.25, 8))).toEqual([8, 8, 8, 8, 16, 24, 40, 80]);
    expect(makeDivisible(12, 8)).toBe(16);
    expect(makeDivisible(0.5 * 24, 8)).toBe(16);
  });

  it('returns out_indices maps at strides 4, 8, 16, 32 that an FPN takes', () => {
    const net = MODELS.build<MobileNetV2>({ type: 'example.MobileNetV2', widen_factor: 0.25 }, { path: 'model.backbone' });
    expect(net.outChannels).toEqual([8, 8, 24, 1280]);
    const feats = net.forward(tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 1) as tf.Tensor4D);
    expect(feats.map((f) => f.shape)).toEqual([
      [2, 16, 16, 8],
      [2, 8, 8, 8],
      [2, 4, 4, 24],
      [2, 2, 2, 1280],
    ]);
    const fpn = new FPN({ in_channels: net.outChannels, out_channels: 16, start_level: 1, add_extra_convs: 'on_output', num_outs: 5 });
    expect(fpn.forward(feats).map((f) => f.shape[1])).toEqual([8, 4, 2, 1, 1]);
    tf.dispose(feats);
    net.dispose();
  });

  it('freezes conv1 and the first layers, and keeps BN in eval with norm_eval', () => {
    const net = new MobileNetV2({ widen_factor: 0.25, frozen_stages: 2, norm_eval: true });
    net.train();
    const trainable = new Set(net.trainableVariables());
    const byName = new Map(net.namedParameters().map(([n, p]) => [n, p.variable]));
    expect(trainable.has(byName.get('conv1.conv.weight')!)).toBe(false);
    expect(trainable.has(byName.get('layer2.0.expand_conv.conv.weight')!)).toBe(false);
    expect(trainable.has(byName.get('layer3.0.expand_conv.conv.weight')!)).toBe(true);
    expect(net.namedModules().every(([, m]) => m.constructor.name !== 'BatchNorm2d' || !m.training)).toBe(true);
    net.dispose();
  });

  it('rejects an out index past conv2, naming the config path', () => {
    expect(() => MODELS.build({ type: 'example.MobileNetV2', out_indices: [1, 8] }, { path: 'model.backbone' })).toThrow(/model\.backbone\.out_indices\.1/);
  });

  it('applies the default Kaiming init to depthwise convs too', async () => {
    const net = new MobileNetV2({ widen_factor: 0.25 });
    const dw = net.namedParameters().find(([n]) => n === 'layer4.0.depthwise_conv.conv.weight')![1].variable;
    const before = dw.dataSync().slice();
    await initWeights(net);
    const after = Array.from(dw.dataSync());
    expect(after.some((v, i) => v !== before[i])).toBe(true);
    // Kaiming normal, fan_out = C·k·k: std sqrt(2 / (C·9)).
    const c = dw.shape[3]!;
    const std = Math.sqrt(after.reduce((s, v) => s + v * v, 0) / after.length);
    expect(std).toBeGreaterThan(0.5 * Math.sqrt(2 / (c * 9)));
    expect(std).toBeLessThan(1.5 * Math.sqrt(2 / (c * 9)));
    net.dispose();
  });
});
