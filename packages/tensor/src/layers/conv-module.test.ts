import * as tf from '@tensorflow/tfjs-core';
import { ConfigValidationError, MODELS } from '@detlab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { ConvModule } from './conv-module.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('ConvModule', () => {
  it('names its children as MMCV does and drops the conv bias when a norm follows (bias: auto)', () => {
    const m = new ConvModule({ in_channels: 4, out_channels: 8, kernel_size: 3, padding: 1, norm_cfg: { type: 'BN' } });
    expect([...m.stateDict().keys()]).toEqual([
      'conv.weight',
      'bn.weight',
      'bn.bias',
      'bn.running_mean',
      'bn.running_var',
      'bn.num_batches_tracked',
    ]);
    expect(m.normName).toBe('bn');
    m.dispose();
  });

  it('keeps the conv bias without a norm, and names a group norm gn', () => {
    const plain = new ConvModule({ in_channels: 4, out_channels: 8, kernel_size: 1, act_cfg: null });
    expect([...plain.stateDict().keys()]).toEqual(['conv.weight', 'conv.bias']);
    expect(plain.activate).toBeUndefined();
    const gn = new ConvModule({ in_channels: 4, out_channels: 8, kernel_size: 1, norm_cfg: { type: 'GN', num_groups: 2 } });
    expect([...gn.stateDict().keys()]).toEqual(['conv.weight', 'gn.weight', 'gn.bias']);
    plain.dispose();
    gn.dispose();
  });

  it('applies conv, norm and act in order: the output of BN + ReLU is non-negative with zero-mean pre-activations', () => {
    const m = new ConvModule({ in_channels: 3, out_channels: 5, kernel_size: 3, stride: 2, padding: 1, norm_cfg: { type: 'BN' } });
    const x = tf.randomNormal<tf.Rank.R4>([2, 9, 8, 3], 0, 1, 'float32', 1); // [N, H, W, C]
    const y = m.forward(x); // [2, 5, 4, 5]
    expect(y.shape).toEqual([2, 5, 4, 5]);
    expect(tf.min(y).dataSync()[0]).toBeGreaterThanOrEqual(0);
    // With the activation off, the batch-normalised output has zero mean per channel.
    const noAct = new ConvModule({ in_channels: 3, out_channels: 5, kernel_size: 3, padding: 1, norm_cfg: { type: 'BN' }, act_cfg: null });
    const mean = tf.mean(noAct.forward(x), [0, 1, 2]).dataSync();
    for (const v of mean) expect(Math.abs(v)).toBeLessThan(1e-4);
    m.dispose();
    noAct.dispose();
  });

  it('gives a norm placed before the conv the input channels', () => {
    const m = new ConvModule({ in_channels: 3, out_channels: 6, kernel_size: 1, norm_cfg: { type: 'BN' }, order: ['norm', 'conv', 'act'] });
    expect(m.stateDict().get('bn.weight')!.shape).toEqual([3]);
    expect(m.forward(tf.ones([1, 2, 2, 3])).shape).toEqual([1, 2, 2, 6]);
    m.dispose();
  });

  it('initialises the conv with Kaiming fan_out (std √(2 / (k·k·out))) and a zero bias, as MMCV does', () => {
    const m = new ConvModule({ in_channels: 64, out_channels: 128, kernel_size: 3, act_cfg: null });
    const { variance } = tf.moments(m.conv.weight);
    expect(Math.sqrt(variance.dataSync()[0]!)).toBeCloseTo(Math.sqrt(2 / (9 * 128)), 2);
    expect(Array.from(m.conv.bias!.dataSync()).every((v) => v === 0)).toBe(true);
    m.dispose();
  });

  it('builds from a config and reports a bad option with its config path', () => {
    const m = MODELS.build<ConvModule>({ type: 'ConvModule', in_channels: 2, out_channels: 2, kernel_size: 1 }, { path: 'model.neck' });
    expect(m).toBeInstanceOf(ConvModule);
    m.dispose();
    const bad = () => MODELS.build({ type: 'ConvModule', in_channels: 2, out_channels: 2, kernel_size: 1, bias: 'yes' }, { path: 'model.neck' });
    expect(bad).toThrow(ConfigValidationError);
    expect(bad).toThrow(/model\.neck\.bias/);
  });
});
