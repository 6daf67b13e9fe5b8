/**
 * `Module`: the base of every layer and model, after PyTorch's `nn.Module` as MMEngine uses it.
 *
 * A module owns named parameters (trainable `tf.Variable`s) and buffers (non-trainable state such as
 * BatchNorm running statistics), and named children. Names join with dots exactly as in MMDetection state
 * dicts (`backbone.layer1.0.conv1.weight`, `backbone.bn1.running_mean`), so converted PyTorch checkpoints load
 * by name. Tensors are NHWC inside; each parameter records its `kind`, which tells checkpoint converters how
 * to map PyTorch layouts (OIHW, [out, in]) onto ours.
 *
 * @example
 * class Block extends Module {
 *   readonly conv1 = this.registerModule('conv1', new Conv2d({ in_channels: 3, out_channels: 8, kernel_size: 3 }));
 *   forward(x: tf.Tensor4D) { return this.conv1.forward(x); }
 * }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError } from '@detlab/core';
import type { InitCfg } from '../init/init-cfg.js';

/** How a parameter's PyTorch layout maps onto detlab's: conv OIHW → HWIO, linear [out, in] → [in, out]. */
export type ParameterKind = 'conv' | 'linear' | 'other';

/** A trainable tensor of a module and what kind of weight it is. */
export interface Parameter {
  readonly variable: tf.Variable;
  readonly kind: ParameterKind;
}

let variableCounter = 0;

/** Variable names must be unique per tfjs engine; the module path keeps them readable in tfjs errors. */
function uniqueVariableName(name: string): string {
  variableCounter += 1;
  return `${name}_${variableCounter}`;
}

/** Base class of layers and models: parameters, buffers, children, train/eval mode and freezing. */
export abstract class Module {
  /** Train mode (true) uses batch statistics and updates running ones; eval mode (false) uses running ones. */
  training = true;
  /** This module's `init_cfg`, applied by `initWeights` before its children's own (MMEngine's `BaseModule`). */
  initCfg: InitCfg | undefined;
  private readonly ownParameters = new Map<string, Parameter>();
  private readonly ownBuffers = new Map<string, tf.Variable>();
  private readonly ownChildren = new Map<string, Module>();
  private disposed = false;

  /**
   * Class names `init_cfg.layer` matches besides the class's own and its ancestors' (as MMEngine's
   * `_BatchNorm` matches every batch norm).
   */
  static readonly initLayerAliases: readonly string[] = [];

  /** Adds a parameter owned by this module (the initial value is kept, not copied) and returns its variable. */
  protected registerParameter(name: string, initial: tf.Tensor, kind: ParameterKind = 'other'): tf.Variable {
    this.assertNewName(name);
    const variable = tf.variable(initial, true, uniqueVariableName(name));
    initial.dispose();
    this.ownParameters.set(name, { variable, kind });
    return variable;
  }

  /** Adds a buffer: state saved in checkpoints but never trained (running statistics, counters). */
  protected registerBuffer(name: string, initial: tf.Tensor): tf.Variable {
    this.assertNewName(name);
    const variable = tf.variable(initial, false, uniqueVariableName(name));
    initial.dispose();
    this.ownBuffers.set(name, variable);
    return variable;
  }

  /** Adds a child module under `name` (the dotted-path segment of its parameters) and returns it. */
  protected registerModule<M extends Module>(name: string, child: M): M {
    this.assertNewName(name);
    this.ownChildren.set(name, child);
    return child;
  }

  /** This module's own parameter `name` (not a descendant's), if it has one. */
  parameter(name: string): Parameter | undefined {
    return this.ownParameters.get(name);
  }

  /** Direct children with their names, in registration order. */
  namedChildren(): Array<[string, Module]> {
    return [...this.ownChildren];
  }

  /** This module and every descendant with its dotted path ('' for this one), depth first. */
  namedModules(prefix = ''): Array<[string, Module]> {
    const result: Array<[string, Module]> = [[prefix, this]];
    for (const [name, child] of this.ownChildren) result.push(...child.namedModules(joinName(prefix, name)));
    return result;
  }

  /** Every parameter of this module and its descendants, by dotted name. */
  namedParameters(prefix = ''): Array<[string, Parameter]> {
    return this.namedModules(prefix).flatMap(([path, m]) =>
      [...m.ownParameters].map(([name, p]): [string, Parameter] => [joinName(path, name), p]),
    );
  }

  /** Every buffer of this module and its descendants, by dotted name. */
  namedBuffers(prefix = ''): Array<[string, tf.Variable]> {
    return this.namedModules(prefix).flatMap(([path, m]) =>
      [...m.ownBuffers].map(([name, b]): [string, tf.Variable] => [joinName(path, name), b]),
    );
  }

  /** The variables an optimizer updates: parameters whose `requires_grad` is on. */
  trainableVariables(): tf.Variable[] {
    return this.namedParameters()
      .map(([, p]) => p.variable)
      .filter((v) => v.trainable);
  }

  /** Parameters and buffers by name, as a checkpoint holds them. The tensors are the module's own: do not dispose. */
  stateDict(): Map<string, tf.Tensor> {
    const state = new Map<string, tf.Tensor>();
    for (const [name, p] of this.namedParameters()) state.set(name, p.variable);
    for (const [name, b] of this.namedBuffers()) state.set(name, b);
    return state;
  }

  /** The checkpoint kind of every parameter and buffer name (buffers are 'other'). */
  stateKinds(): Map<string, ParameterKind> {
    const kinds = new Map<string, ParameterKind>();
    for (const [name, p] of this.namedParameters()) kinds.set(name, p.kind);
    for (const [name] of this.namedBuffers()) kinds.set(name, 'other');
    return kinds;
  }

  /** Number of parameter elements (buffers excluded), as torchvision counts them. */
  parameterCount(): number {
    return this.namedParameters().reduce((sum, [, p]) => sum + p.variable.size, 0);
  }

  /** Sets train mode (true) or eval mode (false) on this module and every descendant; returns this. */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.ownChildren.values()) child.train(mode);
    return this;
  }

  /** Eval mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Turns gradients on or off for every parameter below this module (PyTorch's `requires_grad_`). */
  requiresGrad(flag: boolean): this {
    for (const [, p] of this.namedParameters()) p.variable.trainable = flag;
    return this;
  }

  /** Frees every parameter and buffer below this module; the module is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.ownParameters.values()) p.variable.dispose();
    for (const b of this.ownBuffers.values()) b.dispose();
    for (const child of this.ownChildren.values()) child.dispose();
  }

  private assertNewName(name: string): void {
    if (!name || name.includes('.')) {
      throw new DetlabError(`${this.constructor.name}: invalid member name '${name}' (non-empty, no dots)`);
    }
    if (this.ownParameters.has(name) || this.ownBuffers.has(name) || this.ownChildren.has(name)) {
      throw new DetlabError(`${this.constructor.name}: '${name}' is already a parameter, buffer or child`);
    }
  }
}

/** Joins a module path and a member name with a dot, as state-dict keys are written. */
export function joinName(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

/** The names `init_cfg.layer` may use for `module`: its class, its ancestors', and their declared aliases. */
export function initLayerNames(module: Module): Set<string> {
  const names = new Set<string>();
  for (let ctor = module.constructor as typeof Module; ctor && ctor !== Module; ctor = Object.getPrototypeOf(ctor)) {
    names.add(ctor.name);
    for (const alias of ctor.initLayerAliases) names.add(alias);
  }
  return names;
}
