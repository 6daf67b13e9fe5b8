import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeMap, expectClose, gradMap, param, values } from '../__fixtures__/toy.js';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const p0 = [0.5, -1.5];
const grads = [
  [0.2, -0.4],
  [-0.1, 0.3],
];
const lr = 0.01;
const [b1, b2] = [0.9, 0.999];
const eps = 1e-8;

/** torch.optim.Adam / AdamW by hand, in float64, for two steps. */
function reference(wd: number, decoupled: boolean, amsgrad = false): number[] {
  let p = [...p0];
  let m = [0, 0];
  let v = [0, 0];
  let vMax = [0, 0];
  grads.forEach((g0, k) => {
    const t = k + 1;
    if (decoupled) p = p.map((pi) => pi * (1 - lr * wd));
    const g = decoupled ? g0 : g0.map((gi, i) => gi + wd * p[i]);
    m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
    v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] * g[i]);
    vMax = vMax.map((x, i) => Math.max(x, v[i]));
    const vHat = amsgrad ? vMax : v;
    const stepSize = lr / (1 - b1 ** t);
    p = p.map((pi, i) => pi - (stepSize * m[i]) / (Math.sqrt(vHat[i]) / Math.sqrt(1 - b2 ** t) + eps));
  });
  return p;
}

function twoSteps(make: (params: ReturnType<typeof param>[]) => Adam): number[] {
  const w = param('w', p0);
  const opt = make([w]);
  for (const g of grads) {
    const map = gradMap({ w: g });
    opt.step(map);
    disposeMap(map);
  }
  const result = values(w.variable);
  opt.dispose();
  w.variable.dispose();
  return result;
}

describe('Adam', () => {
  it('matches the formula for the first two steps', () => {
    expectClose(twoSteps((params) => new Adam({ params, lr })), reference(0, false), 1e-6);
  });

  it('adds L2 weight decay to the gradient', () => {
    expectClose(twoSteps((params) => new Adam({ params, lr, weight_decay: 0.1 })), reference(0.1, false), 1e-6);
  });

  it('uses the running maximum of the second moment with amsgrad', () => {
    expectClose(twoSteps((params) => new Adam({ params, lr, amsgrad: true })), reference(0, false, true), 1e-6);
  });

  it('counts steps per parameter and saves them as JSON', () => {
    const w = param('w', p0);
    const adam = new Adam({ params: [w], lr });
    const map = gradMap({ w: grads[0] });
    adam.step(map);
    adam.step(map);
    disposeMap(map);
    const { meta, tensors } = adam.stateDict();
    expect(meta.state).toEqual({ w: { step: 2 } });
    expect([...tensors.keys()].sort()).toEqual(['w.exp_avg', 'w.exp_avg_sq']);
    adam.dispose();
    w.variable.dispose();
  });

  it('keeps the tensor count constant across steps', () => {
    const w = param('w', p0);
    const adam = new Adam({ params: [w], lr, amsgrad: true, weight_decay: 0.01 });
    const map = gradMap({ w: grads[0] });
    adam.step(map);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) adam.step(map);
    expect(tf.memory().numTensors).toBe(before);
    disposeMap(map);
    adam.dispose();
    w.variable.dispose();
  });
});

describe('AdamW', () => {
  it('decays the weights, decoupled from the gradient: p·(1 − lr·wd) before the Adam step', () => {
    expectClose(twoSteps((params) => new AdamW({ params, lr, weight_decay: 0.1 })), reference(0.1, true), 1e-6);
  });

  it("defaults weight_decay to torch's 0.01", () => {
    const w = param('w', [1]);
    const adamw = new AdamW({ params: [w] });
    expect(adamw.defaults.weight_decay).toBe(0.01);
    expect(adamw.type).toBe('AdamW');
    adamw.dispose();
    w.variable.dispose();
  });
});
