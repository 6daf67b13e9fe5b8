/**
 * Helpers for the optim tests: named parameters from plain arrays, reading values back, and a small model
 * with convs, a batch norm and a group norm under MMDetection-like names.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, GroupNorm, Module } from '@detlab/tensor';
import type { OptimParam } from '../optimizer/param-group.js';

/** A parameter `name` holding `values` (1-D). */
export function param(name: string, values: number[]): OptimParam {
  return { name, variable: tf.variable(tf.tensor1d(values), true) };
}

/** The values of a tensor as a plain array. */
export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** `Map` of gradients by parameter name, from plain arrays. */
export function gradMap(entries: Record<string, number[]>): Map<string, tf.Tensor> {
  return new Map(Object.entries(entries).map(([k, v]) => [k, tf.tensor1d(v)]));
}

/** Disposes every tensor of a map. */
export function disposeMap(map: Map<string, tf.Tensor>): void {
  for (const t of map.values()) t.dispose();
}

/** Expects `actual` to equal `expected` within a float32 tolerance, relative to the magnitude. */
export function expectClose(actual: readonly number[], expected: readonly number[], rel = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  actual.forEach((a, i) => {
    const e = expected[i];
    const tol = rel * Math.max(1, Math.abs(e));
    if (!(Math.abs(a - e) <= tol)) throw new Error(`element ${i}: got ${a}, expected ${e} (tolerance ${tol})`);
  });
}

class Stage extends Module {
  readonly conv = this.registerModule('conv', new Conv2d({ in_channels: 2, out_channels: 2, kernel_size: 1 }));
  readonly bn = this.registerModule('bn', new BatchNorm2d({ num_features: 2 }));
}

class Neck extends Module {
  readonly gn = this.registerModule('gn', new GroupNorm({ num_groups: 1, num_channels: 2 }));
}

class Head extends Module {
  readonly conv = this.registerModule('conv', new Conv2d({ in_channels: 2, out_channels: 1, kernel_size: 1 }));
}

/** backbone.{conv (weight, bias), bn (weight, bias)}, neck.gn.{weight, bias}, head.conv.{weight, bias}. */
export class ToyDetector extends Module {
  readonly backbone = this.registerModule('backbone', new Stage());
  readonly neck = this.registerModule('neck', new Neck());
  readonly head = this.registerModule('head', new Head());

  /** [N, H, W, 2] → scalar: a loss that reaches every parameter. */
  loss(x: tf.Tensor4D): tf.Scalar {
    return tf.tidy(() => {
      const y = this.head.conv.forward(this.neck.gn.forward(this.backbone.bn.forward(this.backbone.conv.forward(x))));
      return tf.mean(tf.square(tf.sub(y, 0.5))) as tf.Scalar;
    });
  }
}

/** Something schedulers can drive without tensors: param groups with the given learning rates. */
export function lrOwner(...lrs: number[]): { paramGroups: Array<{ params: []; hyper: Record<string, number> }> } {
  return { paramGroups: lrs.map((lr) => ({ params: [], hyper: { lr } })) };
}

/** Expects two numbers to agree to `digits` significant digits (float64 recursion vs closed form). */
export function expectSameValue(actual: number, expected: number, rel = 1e-9): void {
  if (!(Math.abs(actual - expected) <= rel * Math.max(Math.abs(expected), 1e-300))) {
    throw new Error(`got ${actual}, expected ${expected} (relative tolerance ${rel})`);
  }
}
