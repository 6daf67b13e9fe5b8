import * as tf from '@tensorflow/tfjs-core';
import { ConfigValidationError, MODELS } from '@detlab/core';
import { BatchNorm2d, initBackend, initWeights } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bottleneck } from './bottleneck.js';
import { ResNet, type ResNetOptions } from './resnet.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Builds a ResNet, runs `body`, and frees its variables whatever happens. */
function withResNet<T>(options: ResNetOptions, body: (net: ResNet) => T): T {
  const net = new ResNet(options);
  try {
    return body(net);
  } finally {
    net.dispose();
  }
}

const input = () => tf.randomNormal<tf.Rank.R4>([2, 64, 64, 3], 0, 1, 'float32', 1); // [N, H, W, C]

describe('ResNet', () => {
  it('returns the maps of out_indices at strides 4..32 with 64/128/256/512 channels (depth 18)', () => {
    withResNet({ depth: 18 }, (net) => {
      const outs = tf.tidy(() => net.forward(input()));
      expect(outs.map((o) => o.shape)).toEqual([
        [2, 16, 16, 64],
        [2, 8, 8, 128],
        [2, 4, 4, 256],
        [2, 2, 2, 512],
      ]);
      tf.dispose(outs);
    });
  });

  it('returns 256/512/1024/2048 channels (depth 50), only those out_indices names, scaled by base_channels', () => {
    withResNet({ depth: 50 }, (net) => {
      expect(net.stageChannels).toEqual([256, 512, 1024, 2048]);
      const outs = tf.tidy(() => net.eval().forward(input()));
      expect(outs.map((o) => o.shape[3])).toEqual([256, 512, 1024, 2048]);
      tf.dispose(outs);
    });
    withResNet({ depth: 50, base_channels: 16, out_indices: [1, 3] }, (net) => {
      const outs = tf.tidy(() => net.forward(input()));
      expect(outs.map((o) => o.shape)).toEqual([
        [2, 8, 8, 128],
        [2, 2, 2, 512],
      ]);
      tf.dispose(outs);
    });
  });

  it('builds fewer stages with num_stages and frees every intermediate tensor of forward', () => {
    withResNet({ depth: 18, num_stages: 3, stem_channels: 8, base_channels: 8 }, (net) => {
      expect(net.stageChannels).toEqual([8, 16, 32]);
      const x = input();
      const before = tf.memory().numTensors;
      const outs = net.forward(x);
      expect(outs).toHaveLength(3);
      expect(tf.memory().numTensors).toBe(before + 3); // the outputs, nothing else
      tf.dispose([x, ...outs]);
    });
  });

  // torchvision's counts without the fc layer: resnetN().parameters() minus 512·1000 + 1000 or 2048·1000 + 1000.
  for (const [depth, count] of [
    [18, 11_176_512],
    [34, 21_284_672],
    [50, 23_508_032],
    [101, 42_500_160],
  ] as const) {
    it(`has torchvision's parameter count for depth ${depth}: ${count.toLocaleString('en')}`, () => {
      withResNet({ depth }, (net) => expect(net.parameterCount()).toBe(count));
    });
  }

  it("names its state as torchvision's resnet50 state dict, without fc (318 entries)", () => {
    withResNet({ depth: 50 }, (net) => {
      const state = net.stateDict();
      expect(state.size).toBe(318);
      for (const name of [
        'conv1.weight',
        'bn1.weight',
        'bn1.bias',
        'bn1.running_mean',
        'bn1.running_var',
        'bn1.num_batches_tracked',
        'layer1.0.conv1.weight',
        'layer1.0.bn1.running_mean',
        'layer1.0.conv3.weight',
        'layer1.0.bn3.weight',
        'layer1.0.downsample.0.weight',
        'layer1.0.downsample.1.weight',
        'layer1.0.downsample.1.running_var',
        'layer2.0.downsample.0.weight',
        'layer3.5.conv2.weight',
        'layer4.2.bn3.bias',
      ]) {
        expect(state.has(name), name).toBe(true);
      }
      expect(state.has('layer1.1.downsample.0.weight')).toBe(false);
      expect(state.get('conv1.weight')!.shape).toEqual([7, 7, 3, 64]); // HWIO
      expect(state.get('layer1.0.downsample.0.weight')!.shape).toEqual([1, 1, 64, 256]);
      expect(net.stateKinds().get('layer2.0.conv2.weight')).toBe('conv');
    });
  });

  it('gives BasicBlock stages a downsample only where the shape changes (depth 18: from layer2), 120 entries', () => {
    withResNet({ depth: 18 }, (net) => {
      const state = net.stateDict();
      expect(state.size).toBe(120);
      expect(state.has('layer1.0.downsample.0.weight')).toBe(false);
      expect(state.get('layer2.0.downsample.0.weight')!.shape).toEqual([1, 1, 64, 128]);
      expect(state.has('layer4.1.bn2.running_var')).toBe(true);
    });
  });

  it('names group norms gn1, gn2, ... as mmdet does', () => {
    withResNet({ depth: 18, base_channels: 16, norm_cfg: { type: 'GN', num_groups: 4 } }, (net) => {
      const names = [...net.stateDict().keys()];
      expect(names).toContain('gn1.weight');
      expect(names).toContain('layer1.0.gn2.bias');
      expect(names).toContain('layer2.0.downsample.1.weight');
      expect(names.some((n) => n.includes('running_mean'))).toBe(false);
    });
  });

  it('freezes the stem and stages 1..frozen_stages, and keeps them frozen after train()', () => {
    withResNet({ depth: 18, base_channels: 8, frozen_stages: 1, norm_eval: false }, (net) => {
      net.train();
      const trainable = new Map(net.namedParameters().map(([name, p]) => [name, p.variable.trainable]));
      expect(trainable.get('conv1.weight')).toBe(false);
      expect(trainable.get('bn1.weight')).toBe(false);
      expect(trainable.get('layer1.1.conv2.weight')).toBe(false);
      expect(trainable.get('layer2.0.conv1.weight')).toBe(true);
      expect(trainable.get('layer2.0.downsample.1.bias')).toBe(true);
      const modes = new Map(net.namedModules().map(([name, m]) => [name, m.training]));
      expect(modes.get('bn1')).toBe(false);
      expect(modes.get('layer1.0.bn1')).toBe(false);
      expect(modes.get('layer2.0.bn1')).toBe(true);
      // A train-mode forward updates only the running statistics of the stages that are not frozen.
      const tracked = () => [net.stateDict().get('layer1.0.bn1.num_batches_tracked')!, net.stateDict().get('layer2.0.bn1.num_batches_tracked')!].map((t) => t.dataSync()[0]);
      tf.dispose(net.forward(input()));
      expect(tracked()).toEqual([0, 1]);
      expect(net.trainableVariables()).toHaveLength(net.namedParameters().filter(([n]) => !n.startsWith('layer1.') && !/^(conv1|bn1)\./.test(n)).length);
    });
  });

  it('keeps every batch norm in eval mode during train() with norm_eval, and only then', () => {
    const bnModes = (net: ResNet) => net.namedModules().filter(([, m]) => m instanceof BatchNorm2d).map(([, m]) => m.training);
    withResNet({ depth: 18, base_channels: 8, norm_eval: true }, (net) => {
      net.train();
      expect(net.training).toBe(true);
      expect(new Set(bnModes(net))).toEqual(new Set([false]));
      expect(net.conv1.training).toBe(true);
    });
    withResNet({ depth: 18, base_channels: 8, norm_eval: false }, (net) => {
      net.train();
      expect(new Set(bnModes(net))).toEqual(new Set([true]));
      net.eval();
      expect(new Set(bnModes(net))).toEqual(new Set([false]));
    });
  });

  it("strides a Bottleneck's 3×3 conv in pytorch style and its first 1×1 conv in caffe style", () => {
    const strides = (style: 'pytorch' | 'caffe') =>
      withResNet({ depth: 50, base_channels: 8, style }, (net) => {
        const block = net.resLayers[1]!.blocks[0] as Bottleneck; // layer2.0, the first strided block
        const outs = tf.tidy(() => net.forward(input()));
        const shape = outs[1]!.shape;
        tf.dispose(outs);
        return { conv1: block.conv1.options.stride, conv2: block.conv2.options.stride, shape };
      });
    expect(strides('pytorch')).toEqual({ conv1: 1, conv2: 2, shape: [2, 8, 8, 64] });
    expect(strides('caffe')).toEqual({ conv1: 2, conv2: 1, shape: [2, 8, 8, 64] });
  });

  it("initialises as mmdet: Kaiming fan_out convs, norms at 1, and each block's last norm at 0 (zero_init_residual)", async () => {
    const net = new ResNet({ depth: 50, base_channels: 16 });
    await initWeights(net);
    const state = net.stateDict();
    const values = (name: string) => Array.from(state.get(name)!.dataSync());
    expect(new Set(values('bn1.weight'))).toEqual(new Set([1]));
    expect(new Set(values('layer1.0.bn2.weight'))).toEqual(new Set([1]));
    expect(new Set(values('layer1.0.bn3.weight'))).toEqual(new Set([0]));
    expect(new Set(values('layer4.2.bn3.weight'))).toEqual(new Set([0]));
    expect(new Set(values('layer1.0.downsample.1.weight'))).toEqual(new Set([1]));
    const { variance } = tf.moments(state.get('layer3.0.conv2.weight')!); // [3, 3, 64, 64]: fan_out = 9·64
    expect(Math.sqrt(variance.dataSync()[0]!)).toBeCloseTo(Math.sqrt(2 / (9 * 64)), 2);
    net.dispose();
    const basic = new ResNet({ depth: 18, base_channels: 8, zero_init_residual: false });
    await initWeights(basic);
    expect(new Set(Array.from(basic.stateDict().get('layer1.0.bn2.weight')!.dataSync()))).toEqual(new Set([1]));
    basic.dispose();
  });

  it('reports a bad depth with its config path, before building anything', () => {
    const before = tf.memory().numTensors;
    const build = () => MODELS.build({ type: 'ResNet', depth: 42 }, { path: 'model.backbone' });
    expect(build).toThrow(ConfigValidationError);
    expect(build).toThrow('model.backbone.depth: expected one of 18, 34, 50, 101, 152, got 42');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects options that are not implemented or do not fit num_stages, naming each key', () => {
    const build = (extra: Record<string, unknown>) => () => MODELS.build({ type: 'ResNet', depth: 18, ...extra }, { path: 'model.backbone' });
    expect(build({ dilations: [1, 1, 2, 1] })).toThrow(/model\.backbone\.dilations\.2: dilation > 1 is not implemented/);
    expect(build({ num_stages: 3, strides: [1, 2, 2, 2] })).toThrow(/model\.backbone\.strides: expected 3 entries/);
    expect(build({ num_stages: 2, out_indices: [0, 3] })).toThrow(/model\.backbone\.out_indices\.1: expected a stage index below num_stages = 2, got 3/);
    expect(build({ deep_stem: true })).toThrow(/model\.backbone\.deep_stem: deep_stem \(ResNetV1c\) is not implemented/);
  });
});
