/**
 * The initialisers behind `init_cfg`, on NHWC/HWIO tensors. Fans follow PyTorch's
 * `_calculate_fan_in_and_fan_out`: for a conv weight [kh, kw, in, out], fan_in = kh·kw·in and fan_out = kh·kw·out;
 * for a linear weight [in, out], fan_in = in and fan_out = out.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError } from '@detlab/core';
import { nextSeed } from '../module/random.js';
import type { InitCfgItem } from './init-cfg.js';

type ValueInit = Exclude<InitCfgItem, { type: 'Pretrained' }>;

/** fan_in and fan_out of a weight of `shape` (HWIO conv or [in, out] linear). */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new DetlabError(`fan in/out need a weight of rank ≥ 2, got shape [${shape.join(', ')}]`);
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: receptive * shape[shape.length - 2]!, fanOut: receptive * shape[shape.length - 1]! };
}

/** PyTorch's `calculate_gain`. */
export function gainFor(nonlinearity: string, a = 0): number {
  switch (nonlinearity) {
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
      return Math.sqrt(2 / (1 + a * a));
    case 'tanh':
      return 5 / 3;
    default:
      return 1; // linear, sigmoid, conv
  }
}

/** The bias that makes sigmoid output `prob` at init: −log((1 − p)/p) (Focal Loss paper, §4.1). */
export function biasInitWithProb(prob: number): number {
  return -Math.log((1 - prob) / prob);
}

/** A new weight tensor of `shape` drawn as `cfg` says. */
export function initialWeight(cfg: ValueInit, shape: number[]): tf.Tensor {
  switch (cfg.type) {
    case 'Constant':
      return tf.fill(shape, cfg.val);
    case 'Normal':
      return tf.randomNormal(shape, cfg.mean, cfg.std, 'float32', nextSeed());
    case 'Uniform':
      return tf.randomUniform(shape, cfg.a, cfg.b, 'float32', nextSeed());
    case 'Xavier': {
      const { fanIn, fanOut } = fans(shape);
      const std = cfg.gain * Math.sqrt(2 / (fanIn + fanOut));
      return spread(cfg.distribution, shape, std);
    }
    case 'Kaiming': {
      const { fanIn, fanOut } = fans(shape);
      const std = gainFor(cfg.nonlinearity, cfg.a) / Math.sqrt(cfg.mode === 'fan_in' ? fanIn : fanOut);
      return spread(cfg.distribution, shape, std);
    }
  }
}

/** The bias value `cfg` sets: `bias_prob` wins over `bias`. */
export function initialBias(cfg: ValueInit): number {
  return cfg.bias_prob !== undefined ? biasInitWithProb(cfg.bias_prob) : cfg.bias;
}

/** Zero-mean normal with `std`, or the uniform distribution with the same variance (bound = √3·std). */
function spread(distribution: 'normal' | 'uniform', shape: number[], std: number): tf.Tensor {
  if (distribution === 'normal') return tf.randomNormal(shape, 0, std, 'float32', nextSeed());
  const bound = Math.sqrt(3) * std;
  return tf.randomUniform(shape, -bound, bound, 'float32', nextSeed());
}
