import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/select-backend.js';
import { BatchNorm2d } from '../layers/batch-norm.js';
import { Conv2d } from '../layers/conv2d.js';
import { ReLU } from '../layers/activation.js';
import { Module } from '../module/module.js';
import { countComplexity, formatCount } from './complexity.js';

beforeAll(async () => {
  await initBackend('wasm');
});

class Block extends Module {
  readonly conv = this.registerModule('conv', new Conv2d({ in_channels: 3, out_channels: 8, kernel_size: 3, stride: 2, padding: 1, bias: false }));
  readonly bn = this.registerModule('bn', new BatchNorm2d({ num_features: 8 }));
  readonly relu = this.registerModule('relu', new ReLU());
  forward(x: tf.Tensor4D): tf.Tensor4D {
    // relu runs twice: a shared module is counted per call.
    return this.relu.forward(this.relu.forward(this.bn.forward(this.conv.forward(x))));
  }
}

describe('countComplexity', () => {
  it('counts conv MACs as k_h·k_w·C_in·C_out·H_out·W_out and norm/activation per call, summed into ancestors', async () => {
    const block = new Block().eval();
    const report = await countComplexity(block, () => tf.dispose(block.forward(tf.zeros([1, 16, 16, 3]))));
    const row = (name: string) => report.modules.find((m) => m.name === name)!;
    expect(row('conv').macs).toBe(3 * 3 * 3 * 8 * 8 * 8);
    expect(row('conv').params).toBe(3 * 3 * 3 * 8);
    expect(row('bn').elementwise).toBe(2 * 8 * 8 * 8); // affine: scale and shift
    expect(row('relu')).toMatchObject({ calls: 2, elementwise: 2 * 8 * 8 * 8 });
    expect(report.total).toEqual({ params: 216 + 16, macs: 3 * 3 * 3 * 8 * 64, elementwise: 4 * 512 });
    expect(row('').depth).toBe(0);
    expect(row('bn').depth).toBe(1);
    block.dispose();
  });

  it('restores every forward method, also when the pass throws', async () => {
    const block = new Block();
    await expect(countComplexity(block, () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(Object.prototype.hasOwnProperty.call(block.conv, 'forward')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(block, 'forward')).toBe(false);
    block.dispose();
  });

  it('names leaf modules with parameters that no rule counts', async () => {
    class Dense extends Module {
      readonly w = this.registerParameter('weight', tf.ones([4, 2]), 'linear');
      forward(x: tf.Tensor2D): tf.Tensor2D {
        return tf.matMul(x, this.w as tf.Tensor2D);
      }
    }
    const dense = new Dense();
    const report = await countComplexity(dense, () => tf.dispose(dense.forward(tf.ones([1, 4]))));
    expect(report.uncounted).toEqual(['(root) (Dense)']);
    dense.dispose();
  });

  it('formats counts with SI prefixes', () => {
    expect(formatCount(4_089_184_256)).toBe('4.09 G');
    expect(formatCount(11_689_512)).toBe('11.7 M');
    expect(formatCount(512)).toBe('512');
  });
});
