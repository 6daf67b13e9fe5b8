/**
 * Containers whose children are named by position ("0", "1", ...), as `nn.Sequential` and `nn.ModuleList` name
 * them in PyTorch state dicts (`layer1.0.conv1.weight`, `lateral_convs.2.conv.bias`).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';

/** A module with one tensor in and one out: what `Sequential` chains. */
export interface Layer<T extends tf.Tensor = tf.Tensor4D> extends Module {
  forward(x: T): T;
}

/** A list of modules, indexed like an array; forward is the owner's business. */
export class ModuleList<M extends Module = Module> extends Module {
  private readonly items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Adds `module` under the next index and returns it. */
  append(module: M): M {
    this.items.push(this.registerModule(String(this.items.length), module));
    return module;
  }

  /** The module at `index`; throws past the end, naming the length. */
  at(index: number): M {
    const item = this.items[index];
    if (item === undefined) throw new RangeError(`ModuleList index ${index} out of range (length ${this.items.length})`);
    return item;
  }

  get length(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

/** Layers applied one after another; children named by index. */
export class Sequential<T extends tf.Tensor = tf.Tensor4D> extends ModuleList<Layer<T>> implements Layer<T> {
  forward(x: T): T {
    let y = x;
    for (const layer of this) y = layer.forward(y);
    return y;
  }
}
