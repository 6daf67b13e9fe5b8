import * as tf from '@tensorflow/tfjs-core';
import { ConfigValidationError, MODELS } from '@detlab/core';
import { initBackend, initWeights } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { FPN, type FPNOptions } from './fpn.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Builds an FPN, runs `body`, and frees its variables whatever happens. */
function withFPN<T>(options: FPNOptions, body: (fpn: FPN) => T): T {
  const fpn = new FPN(options);
  try {
    return body(fpn);
  } finally {
    fpn.dispose();
  }
}

const IN_CHANNELS = [8, 16, 32, 64];
/** ResNet-like maps of a 60×64 image at strides 4..32: 15 rows upsample from 8, not by a whole factor. */
const backboneMaps = () =>
  tf.tidy(() =>
    [
      [15, 16],
      [8, 8],
      [4, 4],
      [2, 2],
    ].map(([h, w], i) => tf.randomNormal<tf.Rank.R4>([2, h!, w!, IN_CHANNELS[i]!], 0, 1, 'float32', i + 1)),
  );

const shapesOf = (options: FPNOptions) =>
  withFPN(options, (fpn) => {
    const inputs = backboneMaps();
    const outs = fpn.forward(inputs);
    const shapes = outs.map((o) => o.shape);
    tf.dispose([...inputs, ...outs]);
    return shapes;
  });

describe('FPN', () => {
  const base = { in_channels: IN_CHANNELS, out_channels: 8, num_outs: 5 } as const;

  for (const add_extra_convs of [false, true, 'on_input', 'on_lateral', 'on_output'] as const) {
    it(`gives num_outs 5 maps at strides 4..64 with add_extra_convs ${JSON.stringify(add_extra_convs)}`, () => {
      expect(shapesOf({ ...base, add_extra_convs })).toEqual([
        [2, 15, 16, 8],
        [2, 8, 8, 8],
        [2, 4, 4, 8],
        [2, 2, 2, 8],
        [2, 1, 1, 8],
      ]);
    });
  }

  it('starts at start_level and adds two extra levels (the ATSS/RetinaNet neck)', () => {
    expect(shapesOf({ ...base, start_level: 1, add_extra_convs: 'on_output' }).map((s) => s.slice(1, 3))).toEqual([
      [8, 8],
      [4, 4],
      [2, 2],
      [1, 1],
      [1, 1],
    ]);
    expect(shapesOf({ ...base, start_level: 1, end_level: 2, num_outs: 2 }).map((s) => s[1])).toEqual([8, 4]);
  });

  it("names its convs as mmdet's state dicts do, extra convs continuing fpn_convs", () => {
    withFPN({ ...base, start_level: 1, add_extra_convs: 'on_input' }, (fpn) => {
      const state = fpn.stateDict();
      expect([...state.keys()]).toEqual([
        ...[0, 1, 2].flatMap((i) => [`lateral_convs.${i}.conv.weight`, `lateral_convs.${i}.conv.bias`]),
        ...[0, 1, 2, 3, 4].flatMap((i) => [`fpn_convs.${i}.conv.weight`, `fpn_convs.${i}.conv.bias`]),
      ]);
      expect(state.get('lateral_convs.0.conv.weight')!.shape).toEqual([1, 1, 16, 8]);
      expect(state.get('fpn_convs.3.conv.weight')!.shape).toEqual([3, 3, 64, 8]); // on_input reads C5
      expect(state.get('fpn_convs.4.conv.weight')!.shape).toEqual([3, 3, 8, 8]);
    });
    withFPN({ ...base, add_extra_convs: 'on_output' }, (fpn) => expect(fpn.stateDict().get('fpn_convs.4.conv.weight')!.shape).toEqual([3, 3, 8, 8]));
    withFPN(base, (fpn) => expect(fpn.fpnConvs.length).toBe(4)); // max-pooled extra levels have no parameters
  });

  it('puts norms on laterals and outputs without conv biases, except laterals with no_norm_on_lateral', () => {
    withFPN({ ...base, norm_cfg: { type: 'GN', num_groups: 2 }, no_norm_on_lateral: true }, (fpn) => {
      const names = [...fpn.stateDict().keys()];
      expect(names).toContain('lateral_convs.0.conv.bias');
      expect(names).not.toContain('lateral_convs.0.gn.weight');
      expect(names).toContain('fpn_convs.0.gn.weight');
      expect(names).not.toContain('fpn_convs.0.conv.bias');
    });
  });

  it('adds the nearest-upsampled coarser lateral to the finer one, at the finer size (hand-checked)', () => {
    withFPN({ in_channels: [1, 1], out_channels: 1, num_outs: 2 }, (fpn) => {
      // Identity laterals and output convs (centre tap 1), so the outputs are the merged laterals.
      for (const [name, tensor] of fpn.stateDict()) {
        const identity = name.startsWith('lateral') ? tf.ones(tensor.shape) : tf.tensor4d([0, 0, 0, 0, 1, 0, 0, 0, 0], [3, 3, 1, 1]);
        (tensor as tf.Variable).assign(name.endsWith('bias') ? tf.zeros(tensor.shape) : identity);
      }
      const fine = tf.zeros<tf.Rank.R4>([1, 3, 3, 1]);
      const coarse = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      const [p0, p1] = fpn.forward([fine, coarse]);
      // PyTorch nearest 2 → 3 reads source index floor(i · 2/3): rows and columns 0, 0, 1.
      expect(Array.from(p0!.dataSync())).toEqual([1, 1, 2, 1, 1, 2, 3, 3, 4]);
      expect(Array.from(p1!.dataSync())).toEqual([1, 2, 3, 4]);
    });
  });

  it('applies relu before the extra convs after the first only with relu_before_extra_convs', () => {
    for (const relu of [false, true]) {
      withFPN({ ...base, add_extra_convs: 'on_output', num_outs: 6, relu_before_extra_convs: relu }, (fpn) => {
        const inputs = backboneMaps();
        const outs = fpn.forward(inputs);
        const p6 = outs[4]!;
        const expected = fpn.fpnConvs.at(5).forward(relu ? tf.relu(p6) : p6);
        expect(Array.from(outs[5]!.dataSync())).toEqual(Array.from(expected.dataSync()));
        tf.dispose([...inputs, ...outs, expected]);
      });
    }
  });

  it('frees every intermediate tensor of forward', () => {
    withFPN({ ...base, add_extra_convs: 'on_lateral' }, (fpn) => {
      const inputs = backboneMaps();
      const before = tf.memory().numTensors;
      const outs = fpn.forward(inputs);
      expect(tf.memory().numTensors).toBe(before + outs.length);
      tf.dispose([...inputs, ...outs]);
    });
  });

  it('initialises every conv Xavier-uniform with zero biases, as mmdet does', async () => {
    const fpn = new FPN({ ...base, add_extra_convs: 'on_input' });
    await initWeights(fpn);
    const state = fpn.stateDict();
    const bound = Math.sqrt(6 / (9 * 64 + 9 * 8)); // fpn_convs.4 reads C5: fan_in 3·3·64, fan_out 3·3·8
    const weight = Array.from(state.get('fpn_convs.4.conv.weight')!.dataSync());
    expect(Math.max(...weight.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...weight.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(new Set(Array.from(state.get('lateral_convs.0.conv.bias')!.dataSync()))).toEqual(new Set([0]));
    fpn.dispose();
  });

  it('reports bad options with their config path', () => {
    const build = (extra: Record<string, unknown>) => () => MODELS.build({ type: 'FPN', ...base, ...extra }, { path: 'model.neck' });
    expect(build({ num_outs: 3 })).toThrow(ConfigValidationError);
    expect(build({ num_outs: 3 })).toThrow('model.neck.num_outs: expected at least 4 (levels 0..3 of in_channels), got 3');
    expect(build({ add_extra_convs: 'on_top' })).toThrow(/model\.neck\.add_extra_convs/);
    expect(build({ end_level: 2 })).toThrow(/model\.neck\.num_outs: expected 3 \(end_level - start_level \+ 1/);
  });

  it('refuses a forward with the wrong number of maps, giving both numbers', () => {
    withFPN(base, (fpn) => expect(() => fpn.forward([])).toThrow('FPN.forward: expected 4 feature maps (one per in_channels entry), got 0'));
  });
});
