import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { ToyDetector, values } from '../__fixtures__/toy.js';
import { buildOptimWrapper } from './build-optim-wrapper.js';
import { OptimWrapper } from './optim-wrapper.js';
import { SGD } from './sgd.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('buildOptimWrapper', () => {
  it('builds one group over every parameter without paramwise_cfg', () => {
    const model = new ToyDetector();
    const ow = buildOptimWrapper(model, { optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 }, clip_grad: { max_norm: 35 } });
    expect(ow).toBeInstanceOf(OptimWrapper);
    expect(ow.optimizer).toBeInstanceOf(SGD);
    expect(ow.optimizer.paramGroups).toHaveLength(1);
    expect(ow.optimizer.paramGroups[0].params.map((p) => p.name)).toEqual(model.namedParameters().map(([n]) => n));
    expect(ow.getLr()).toEqual({ lr: [0.01] });
    ow.dispose();
    model.dispose();
  });

  it('builds one group per parameter with paramwise_cfg, and trains the model', () => {
    const model = new ToyDetector();
    const ow = buildOptimWrapper(model, {
      optimizer: { type: 'SGD', lr: 0.1, momentum: 0.9, weight_decay: 1e-4 },
      paramwise_cfg: { norm_decay_mult: 0, custom_keys: { head: { lr_mult: 0.1 } } },
    });
    expect(ow.optimizer.paramGroups).toHaveLength(8);
    const { base_lr: baseLr, lr } = ow.getLr();
    expect(baseLr).toEqual([0.1]);
    expect(lr.map((v) => +v.toPrecision(12))).toEqual([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01]);
    const x = tf.randomUniform([2, 3, 3, 2], -1, 1, 'float32', 1) as tf.Tensor4D;
    const first = ow.updateParams(() => model.loss(x)).losses.loss;
    for (let i = 0; i < 20; i++) ow.updateParams(() => model.loss(x));
    expect(values(model.loss(x))[0]).toBeLessThan(first);
    x.dispose();
    ow.dispose();
    model.dispose();
  });

  it('names the config path of a bad optimizer option', () => {
    const model = new ToyDetector();
    expect(() => buildOptimWrapper(model, { optimizer: { type: 'SGD', lr: -1 } })).toThrow(/optim_wrapper\.optimizer\.lr: expected >= 0, got -1/);
    expect(() => buildOptimWrapper(model, { optimizer: { type: 'SDG', lr: 0.1 } })).toThrow(/optim_wrapper\.optimizer\.type: 'SDG' is not in .*Did you mean 'SGD'/);
    model.dispose();
  });

  it('requires weight_decay when paramwise_cfg scales it', () => {
    const model = new ToyDetector();
    expect(() => buildOptimWrapper(model, { optimizer: { type: 'SGD', lr: 0.1 }, paramwise_cfg: { norm_decay_mult: 0 } })).toThrow(
      /optim_wrapper\.paramwise_cfg\.norm_decay_mult: scales the weight decay, but optim_wrapper\.optimizer sets no weight_decay/,
    );
    model.dispose();
  });

  it('rejects a config without an optimizer', () => {
    expect(() => buildOptimWrapper(new ToyDetector(), { clip_grad: { max_norm: 1 } })).toThrow(
      "optim_wrapper.optimizer: expected an optimizer config such as { type: 'SGD', lr: 0.01 }, got nothing",
    );
  });
});

describe('buildOptimWrapper constructor', () => {
  it('names optim_wrapper.constructor when the constructor is unknown', () => {
    expect(() => buildOptimWrapper(new ToyDetector(), { constructor: 'LayerDecay', optimizer: { type: 'SGD', lr: 0.1 } })).toThrow(
      /^optim_wrapper\.constructor: 'LayerDecay' is not in the detlab::optimizer wrapper constructor registry/,
    );
  });
});
