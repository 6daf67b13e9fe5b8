import { initBackend } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { ToyDetector } from '../__fixtures__/toy.js';
import { isNormModule } from './module-kinds.js';
import { paramwiseGroups, type ParamwiseCfg } from './paramwise.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const base = { lr: 0.01, weight_decay: 1e-4 };

/** Each parameter's overrides by name. */
function overrides(cfg: ParamwiseCfg, b: { lr: number; weight_decay?: number } = base): Record<string, Record<string, unknown>> {
  const model = new ToyDetector();
  const groups = paramwiseGroups(model, cfg, b);
  model.dispose();
  return Object.fromEntries(groups.map((g) => [g.params[0].name, g.hyper]));
}

describe('paramwiseGroups', () => {
  it('scales the weight decay of norm layers (batch and group norm) and of other biases', () => {
    expect(overrides({ norm_decay_mult: 0, bias_decay_mult: 0.5 })).toEqual({
      'backbone.conv.weight': {},
      'backbone.conv.bias': { weight_decay: 0.5e-4 },
      'backbone.bn.weight': { weight_decay: 0 },
      'backbone.bn.bias': { weight_decay: 0 },
      'neck.gn.weight': { weight_decay: 0 },
      'neck.gn.bias': { weight_decay: 0 },
      'head.conv.weight': {},
      'head.conv.bias': { weight_decay: 0.5e-4 },
    });
  });

  it('applies bias_lr_mult to biases outside norm layers only', () => {
    const o = overrides({ bias_lr_mult: 2 });
    expect(o['head.conv.bias']).toEqual({ lr: 0.02 });
    expect(o['backbone.bn.bias']).toEqual({});
  });

  it('lets the longest matching custom key win and skips the other rules for it', () => {
    const o = overrides({
      norm_decay_mult: 0,
      custom_keys: { backbone: { lr_mult: 0.1 }, 'backbone.conv': { lr_mult: 0.5, decay_mult: 2 } },
    });
    expect(o['backbone.conv.weight']).toEqual({ lr: 0.005, weight_decay: 2e-4, lr_mult: 0.5, decay_mult: 2 });
    expect(o['backbone.bn.weight']).toEqual({ lr: 0.001, weight_decay: 1e-4, lr_mult: 0.1 }); // not norm_decay_mult
    expect(o['neck.gn.weight']).toEqual({ weight_decay: 0 });
  });

  it('breaks ties between keys of the same length alphabetically', () => {
    const o = overrides({ custom_keys: { head: { lr_mult: 2 }, conv: { lr_mult: 3 } } });
    expect(o['head.conv.weight'].lr).toBeCloseTo(0.03);
  });

  it('gives frozen parameters a group without overrides, and freezes on requires_grad: false', () => {
    const model = new ToyDetector();
    model.neck.requiresGrad(false);
    const groups = paramwiseGroups(model, { norm_decay_mult: 0, custom_keys: { head: { requires_grad: false } } }, base);
    const byName = Object.fromEntries(groups.map((g) => [g.params[0].name, g]));
    expect(byName['neck.gn.weight'].hyper).toEqual({});
    expect(byName['head.conv.weight'].params[0].variable.trainable).toBe(false);
    model.dispose();
  });

  it('applies no decay multiplier when the optimizer has no weight_decay', () => {
    expect(overrides({ bias_lr_mult: 2, custom_keys: { neck: { lr_mult: 0 } } }, { lr: 0.01 })['neck.gn.bias']).toEqual({ lr: 0, lr_mult: 0 });
  });
});

describe('isNormModule', () => {
  it('recognises norm layers through the module tree', () => {
    const model = new ToyDetector();
    expect(isNormModule(model.backbone.bn)).toBe(true);
    expect(isNormModule(model.neck.gn)).toBe(true);
    expect(isNormModule(model.backbone.conv)).toBe(false);
    model.dispose();
  });
});
