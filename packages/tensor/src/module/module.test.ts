import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { BatchNorm2d } from '../layers/batch-norm.js';
import { Conv2d } from '../layers/conv2d.js';
import { Sequential } from './containers.js';
import { Module } from './module.js';

beforeAll(async () => {
  await initBackend('cpu');
});

class Block extends Module {
  readonly conv1 = this.registerModule('conv1', new Conv2d({ in_channels: 2, out_channels: 2, kernel_size: 1, bias: false }));
  readonly bn1 = this.registerModule('bn1', new BatchNorm2d({ num_features: 2 }));
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return this.bn1.forward(this.conv1.forward(x));
  }
}

class Net extends Module {
  readonly layer1 = this.registerModule('layer1', new Sequential([new Block(), new Block()]));
}

describe('Module', () => {
  it('names parameters and buffers with dotted MMDetection paths', () => {
    const net = new Net();
    expect([...net.stateDict().keys()]).toEqual([
      'layer1.0.conv1.weight',
      'layer1.0.bn1.weight',
      'layer1.0.bn1.bias',
      'layer1.1.conv1.weight',
      'layer1.1.bn1.weight',
      'layer1.1.bn1.bias',
      'layer1.0.bn1.running_mean',
      'layer1.0.bn1.running_var',
      'layer1.0.bn1.num_batches_tracked',
      'layer1.1.bn1.running_mean',
      'layer1.1.bn1.running_var',
      'layer1.1.bn1.num_batches_tracked',
    ]);
    expect(net.stateKinds().get('layer1.0.conv1.weight')).toBe('conv');
    expect(net.parameterCount()).toBe(2 * (4 + 2 + 2));
    net.dispose();
  });

  it('propagates train/eval to every descendant', () => {
    const net = new Net().eval();
    expect(net.namedModules().every(([, m]) => !m.training)).toBe(true);
    net.train();
    expect(net.namedModules().every(([, m]) => m.training)).toBe(true);
    net.dispose();
  });

  it('freezes parameters: requiresGrad(false) removes them from the trainable set', () => {
    const net = new Net();
    expect(net.trainableVariables()).toHaveLength(6);
    net.layer1.at(0).requiresGrad(false);
    expect(net.trainableVariables()).toHaveLength(3);
    expect(net.trainableVariables().every((v) => !v.name.startsWith('weight') || v.trainable)).toBe(true);
    net.dispose();
  });

  it('frees every tensor it owns on dispose', () => {
    const before = tf.memory().numTensors;
    const net = new Net();
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the live tensor count constant across a forward/backward pass', () => {
    const net = new Net();
    const x = tf.randomNormal([1, 3, 3, 2]) as tf.Tensor4D;
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(net.layer1.forward(x)), net.trainableVariables());
      value.dispose();
      tf.dispose(grads);
    };
    step();
    const after = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(after);
    net.dispose();
    x.dispose();
  });

  it('rejects a second member of the same name', () => {
    class Twice extends Module {
      constructor() {
        super();
        this.registerModule('a', new Sequential());
        this.registerModule('a', new Sequential());
      }
    }
    expect(() => new Twice()).toThrow(/'a' is already a parameter, buffer or child/);
  });
});
