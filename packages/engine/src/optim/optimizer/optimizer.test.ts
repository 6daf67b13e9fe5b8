import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeMap, gradMap, param, values } from '../__fixtures__/toy.js';
import { Adam } from './adam.js';
import { OptimWrapper } from './optim-wrapper.js';
import type { Optimizer } from './optimizer.js';
import type { OptimParam } from './param-group.js';
import { SGD } from './sgd.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const gradsAt = (k: number) => ({ 'backbone.w': [0.1 * k, -0.2], 'head.b': [0.3 - 0.1 * k] });

function run(opt: Optimizer, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    const grads = gradMap(gradsAt(k));
    opt.step(grads);
    disposeMap(grads);
  }
}

/** Trains 4 steps straight, and 2 + 2 with a state-dict round trip into freshly built variables in between. */
function resumeMatches(make: (params: OptimParam[]) => Optimizer): void {
  const straight = [param('backbone.w', [1, 2]), param('head.b', [3])];
  const a = make(straight);
  run(a, 0, 4);

  const first = [param('backbone.w', [1, 2]), param('head.b', [3])];
  const b = make(first);
  run(b, 0, 2);
  const state = b.stateDict();
  // A JSON round trip of the meta and copies of the tensors, as a checkpoint file would give them back.
  const loaded = { meta: JSON.parse(JSON.stringify(state.meta)), tensors: new Map([...state.tensors].map(([k, t]) => [k, t.clone()])) };
  const rebuilt = first.map((p) => ({ name: p.name, variable: tf.variable(p.variable.clone(), true) }));
  const c = make([...rebuilt].reverse()); // parameter order differs: state follows names
  const report = c.loadStateDict(loaded);
  disposeMap(loaded.tensors);
  expect(report).toEqual({ missing: [], unexpected: [] });
  run(c, 2, 4);
  for (const [i, p] of straight.entries()) expect(values(rebuilt[i].variable)).toEqual(values(p.variable));
  for (const o of [a, b, c]) o.dispose();
  tf.dispose([...straight, ...first, ...rebuilt].map((p) => p.variable));
}

describe('Optimizer state dict', () => {
  it('SGD with momentum resumes to the same parameters, state keyed by parameter name', () => {
    resumeMatches((params) => new SGD({ params, lr: 0.1, momentum: 0.9, weight_decay: 1e-4 }));
  });

  it('Adam resumes to the same parameters (moments and step counts restored)', () => {
    resumeMatches((params) => new Adam({ params, lr: 0.01 }));
  });

  it('writes buffers as tensors and groups as JSON with parameter names', () => {
    const w = param('backbone.w', [1, 2]);
    const sgd = new SGD({ params: [w], lr: 0.1, momentum: 0.9 });
    run(sgd, 0, 1);
    const { tensors, meta } = sgd.stateDict();
    expect([...tensors.keys()]).toEqual(['backbone.w.momentum_buffer']);
    expect(meta).toEqual({
      type: 'SGD',
      param_groups: [{ lr: 0.1, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false, params: ['backbone.w'] }],
      state: {},
    });
    sgd.dispose();
    w.variable.dispose();
  });

  it('restores group hyper-parameters such as a scheduled lr and initial_lr', () => {
    const w = param('w', [1]);
    const a = new SGD({ params: [w], lr: 0.1 });
    a.paramGroups[0].hyper.lr = 0.05;
    a.paramGroups[0].hyper.initial_lr = 0.1;
    const b = new SGD({ params: [w], lr: 0.1 });
    b.loadStateDict(a.stateDict());
    expect(b.paramGroups[0].hyper).toMatchObject({ lr: 0.05, initial_lr: 0.1 });
    tf.dispose(w.variable);
  });

  it('reports parameters missing from, or unknown to, the state', () => {
    const a = new SGD({ params: [param('old', [1])], lr: 0.1 });
    const b = new SGD({ params: [param('new', [1])], lr: 0.1 });
    expect(b.loadStateDict(a.stateDict())).toEqual({ missing: ['new'], unexpected: ['old'] });
  });

  it("refuses another optimizer's state, naming both", () => {
    const w = param('w', [1]);
    const sgd = new SGD({ params: [w], lr: 0.1 });
    const adam = new Adam({ params: [w] });
    expect(() => adam.loadStateDict(sgd.stateDict())).toThrow('Adam.loadStateDict: the state was written by SGD, expected Adam');
    w.variable.dispose();
  });

  it('refuses a buffer whose shape does not match its parameter', () => {
    const sgd = new SGD({ params: [param('w', [1, 2])], lr: 0.1, momentum: 0.9 });
    const buf = tf.tensor1d([1, 2, 3]);
    const state = { meta: { type: 'SGD', param_groups: [{ lr: 0.1, params: ['w'] }], state: {} }, tensors: new Map([['w.momentum_buffer', buf]]) };
    expect(() => sgd.loadStateDict(state)).toThrow("'w.momentum_buffer' has shape [3], expected [2] (the shape of parameter 'w')");
    buf.dispose();
  });

  it('OptimWrapper saves and restores the base-lr pseudo-group', () => {
    const make = () => new OptimWrapper({ optimizer: new SGD({ params: [{ params: [param('a', [1])] }, { params: [param('b', [1])] }], lr: 0.1 }) });
    const a = make();
    (a.baseParamSettings as { hyper: Record<string, number> }).hyper.lr = 0.01;
    const b = make();
    b.loadStateDict(a.stateDict());
    expect(b.getLr().base_lr).toEqual([0.01]);
  });
});
