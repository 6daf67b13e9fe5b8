import * as tf from '@tensorflow/tfjs-core';
import { OPTIMIZERS } from '@detlab/core';
import { initBackend, useOneDnn } from '@detlab/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeMap, expectClose, gradMap, param, values } from '../__fixtures__/toy.js';
import { SGD } from './sgd.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** The step's two routes on wasm: tf ops, and one native pass where @detlab/onednn's addon is built. */
const ROUTES = ['tf ops', ...(useOneDnn(true, 1).active ? ['oneDNN'] : [])];

const p0 = [1, -2];
const g1 = [0.5, 0.25];
const g2 = [-0.3, 0.8];
const lr = 0.1;
const wd = 1e-4;
const m = 0.9;

/** torch.optim.SGD by hand, in float64, for two steps. */
function reference(nesterov: boolean, dampening = 0): number[] {
  let p = [...p0];
  let buf: number[] | undefined;
  for (const g of [g1, g2]) {
    const d = g.map((gi, i) => gi + wd * p[i]);
    buf = buf ? buf.map((b, i) => m * b + (1 - dampening) * d[i]) : d;
    const b = buf;
    const update = nesterov ? d.map((di, i) => di + m * b[i]) : b;
    p = p.map((pi, i) => pi - lr * update[i]);
  }
  return p;
}

function twoSteps(options: ConstructorParameters<typeof SGD>[0]): number[] {
  const w = param('w', p0);
  const sgd = new SGD({ ...options, params: [w] });
  for (const g of [g1, g2]) {
    const grads = gradMap({ w: g });
    sgd.step(grads);
    disposeMap(grads);
  }
  const result = values(w.variable);
  sgd.dispose();
  w.variable.dispose();
  return result;
}

describe.each(ROUTES)('SGD via %s', (route) => {
  beforeAll(() => void useOneDnn(route === 'oneDNN', 1));
  afterAll(() => void useOneDnn(true, 1));

  it('takes the route it is tested on', async () => {
    const w = param('w', p0);
    const sgd = new SGD({ lr, momentum: m, params: [w] });
    const grads = gradMap({ w: g1 });
    const profile = await tf.profile(() => sgd.step(grads));
    expect(profile.kernelNames.includes('DetlabSgdStep')).toBe(route === 'oneDNN');
    disposeMap(grads);
    sgd.dispose();
    w.variable.dispose();
  });

  it('matches torch with momentum 0.9 and weight decay 1e-4 over two steps (buffer starts at the first gradient)', () => {
    expectClose(twoSteps({ lr, momentum: m, weight_decay: wd }), reference(false), 1e-6);
  });

  it('matches torch with nesterov momentum', () => {
    expectClose(twoSteps({ lr, momentum: m, weight_decay: wd, nesterov: true }), reference(true), 1e-6);
  });

  it('applies dampening from the second step on', () => {
    expectClose(twoSteps({ lr, momentum: m, weight_decay: wd, dampening: 0.5 }), reference(false, 0.5), 1e-6);
  });

  it('is plain gradient descent without momentum', () => {
    const expected = p0.map((p, i) => p - lr * g1[i] - lr * g2[i]);
    expectClose(twoSteps({ lr }), expected, 1e-6);
  });

  it('skips parameters without a gradient and keeps no state for them', () => {
    const a = param('a', [1]);
    const b = param('b', [2]);
    const sgd = new SGD({ params: [a, b], lr: 1, momentum: 0.9 });
    const grads = gradMap({ a: [1] });
    sgd.step(grads);
    disposeMap(grads);
    expect(values(b.variable)).toEqual([2]);
    expect([...sgd.stateDict().tensors.keys()]).toEqual(['a.momentum_buffer']);
    sgd.dispose();
    a.variable.dispose();
    b.variable.dispose();
  });

  it('rejects nesterov without momentum, naming the option', () => {
    expect(() => OPTIMIZERS.build({ type: 'SGD', lr: 0.1, nesterov: true }, { path: 'optim_wrapper.optimizer' })).toThrow(
      /optim_wrapper\.optimizer\.nesterov: Nesterov momentum requires a momentum and zero dampening, got momentum 0 and dampening 0/,
    );
  });

  it('says how to get parameters when built without them', () => {
    expect(() => new SGD({ lr: 0.1 })).toThrow(/SGD: no parameters to optimize[\s\S]*buildOptimWrapper/);
  });

  it('rejects a gradient of the wrong shape', () => {
    const w = param('w', [1, 2]);
    const sgd = new SGD({ params: [w], lr: 0.1 });
    const grads = gradMap({ w: [1, 2, 3] });
    expect(() => sgd.step(grads)).toThrow("SGD.step: gradient of 'w' has shape [3], expected [2]");
    disposeMap(grads);
    sgd.dispose();
    w.variable.dispose();
  });

  it('keeps the tensor count constant across steps', () => {
    const w = param('w', p0);
    const sgd = new SGD({ params: [w], lr, momentum: m, weight_decay: wd, nesterov: true });
    const grads = gradMap({ w: g1 });
    sgd.step(grads); // creates the momentum buffer
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) sgd.step(grads);
    expect(tf.memory().numTensors).toBe(before);
    disposeMap(grads);
    sgd.dispose();
    w.variable.dispose();
  });
});
