/**
 * `Optimizer`: the base of detlab's optimizers, after `torch.optim.Optimizer`, on tf.Variables.
 *
 * Subclasses implement one parameter's update; the base owns the param groups, the per-parameter state
 * (buffers as tf.Variables updated with `assign`, so references handed to a checkpoint writer stay valid and
 * the tensor count does not grow), `step` inside one `tf.tidy`, and the state dict. State is keyed by
 * parameter name, so a checkpoint loads into a rebuilt model. Parameters without a gradient in the map passed to
 * `step` (frozen, or unused by the loss) are skipped, as PyTorch skips those whose `.grad` is None.
 *
 * @example
 * optim_wrapper: { type: 'OptimWrapper', optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError } from '@detlab/core';
import {
  cloneHyper,
  normalizeParamGroups,
  type Hyper,
  type HyperValue,
  type OptimParam,
  type OptimizerParams,
  type ParamGroup,
  type ParamGroupsOwner,
} from './param-group.js';

/**
 * What an optimizer keeps per parameter: tensor buffers (`momentum_buffer`, `exp_avg`) and numbers (`step`).
 *
 * @example
 * const state: ParamState = { buffers: new Map(), scalars: { step: 0 } };
 */
export interface ParamState {
  readonly buffers: Map<string, tf.Variable>;
  readonly scalars: Record<string, number>;
}

/**
 * An optimizer's state for a checkpoint: tensors for the safetensors writer, the rest as JSON.
 *
 * @example
 * const { tensors, meta } = optimWrapper.stateDict(); // tensors: 'backbone.conv1.weight.momentum_buffer' → tf.Tensor
 */
export interface OptimizerState {
  /** Buffers keyed `<parameter name>.<buffer name>`; the optimizer's own tensors: do not dispose them. */
  readonly tensors: Map<string, tf.Tensor>;
  readonly meta: OptimizerStateMeta;
}

/**
 * The JSON part of an optimizer state.
 *
 * @example
 * { type: 'SGD', param_groups: [{ lr: 0.01, momentum: 0.9, params: ['conv.weight'] }], state: {} }
 */
export interface OptimizerStateMeta {
  /** Registered name of the optimizer that wrote it ('SGD'). */
  type: string;
  /** Each group's hyper-parameters plus `params`, the names of its parameters. */
  param_groups: Array<Record<string, HyperValue | string[]>>;
  /** Per-parameter numbers by parameter name (Adam's `step`). */
  state: Record<string, Record<string, number>>;
  /** `OptimWrapper` adds the pseudo-group that tracks the base learning rate (when there are several groups). */
  base_param_settings?: Hyper;
}

/**
 * What `loadStateDict` matched, by parameter name.
 *
 * @example
 * const { missing, unexpected } = optimizer.loadStateDict(state); // missing: parameters new in this model
 */
export interface LoadOptimizerReport {
  /** Parameters of this optimizer the state does not mention (their state starts fresh). */
  missing: string[];
  /** Parameters the state mentions that this optimizer does not have (ignored). */
  unexpected: string[];
}

/**
 * Base class of optimizers; see the file comment. Subclasses register in OPTIMIZERS under PyTorch's name.
 *
 * @example
 * optimizer: { type: 'AdamW', lr: 1e-4, weight_decay: 0.05 }
 */
export abstract class Optimizer implements ParamGroupsOwner {
  /** Registered name, written into the state dict so another optimizer's checkpoint is refused. */
  abstract readonly type: string;
  /** Names of the per-parameter tensor buffers this optimizer keeps, for the state dict. */
  protected abstract readonly bufferNames: readonly string[];
  readonly paramGroups: ParamGroup[];
  /** The constructor's hyper-parameters, the values a group without overrides has (`optimizer.defaults`). */
  readonly defaults: Readonly<Hyper>;
  private readonly states = new Map<string, ParamState>();
  private disposed = false;

  protected constructor(owner: string, params: OptimizerParams | undefined, defaults: Hyper) {
    this.defaults = cloneHyper(defaults);
    this.paramGroups = normalizeParamGroups(owner, params, defaults);
  }

  /**
   * Updates every parameter that has a gradient in `grads` (keyed by parameter name), in place.
   *
   * The caller keeps ownership of `grads`. Everything temporary is freed inside one `tf.tidy`.
   */
  step(grads: ReadonlyMap<string, tf.Tensor>): void {
    this.assertUsable('step');
    tf.tidy(() => {
      for (const group of this.paramGroups) {
        for (const param of group.params) {
          const grad = grads.get(param.name);
          if (grad === undefined) continue;
          if (!sameShape(grad.shape, param.variable.shape)) {
            throw new DetlabError(
              `${this.type}.step: gradient of '${param.name}' has shape [${grad.shape}], expected [${param.variable.shape}]`,
            );
          }
          this.updateParameter(param, grad, group.hyper, this.stateOf(param.name));
        }
      }
    });
  }

  /** The parameters that currently require gradients (`variable.trainable`), in group order. */
  trainableParams(): OptimParam[] {
    return this.paramGroups.flatMap((g) => g.params.filter((p) => p.variable.trainable));
  }

  /** Buffers as tensors (the optimizer's own) and groups and counters as JSON; see `OptimizerState`. */
  stateDict(): OptimizerState {
    this.assertUsable('stateDict');
    const tensors = new Map<string, tf.Tensor>();
    const state: Record<string, Record<string, number>> = {};
    for (const [name, s] of this.states) {
      for (const [buffer, v] of s.buffers) tensors.set(stateKey(name, buffer), v);
      if (Object.keys(s.scalars).length > 0) state[name] = { ...s.scalars };
    }
    const paramGroups = this.paramGroups.map((g) => ({ ...cloneHyper(g.hyper), params: g.params.map((p) => p.name) }));
    return { tensors, meta: { type: this.type, param_groups: paramGroups, state } };
  }

  /**
   * Restores groups' hyper-parameters and per-parameter state by parameter name (each group takes the saved
   * group of its first known parameter). The tensors are copied by reference count: the caller may dispose them.
   */
  loadStateDict(state: OptimizerState): LoadOptimizerReport {
    this.assertUsable('loadStateDict');
    const { meta, tensors } = state;
    if (meta.type !== this.type) {
      throw new DetlabError(`${this.type}.loadStateDict: the state was written by ${meta.type}, expected ${this.type}`, {
        hint: 'Resume with the optimizer the checkpoint was trained with, or use load_from to load weights only.',
      });
    }
    const savedGroupOf = new Map<string, Record<string, HyperValue | string[]>>();
    for (const group of meta.param_groups) for (const name of group.params as string[]) savedGroupOf.set(name, group);
    const missing: string[] = [];
    const known = new Set<string>();
    for (const group of this.paramGroups) {
      const saved = group.params.map((p) => savedGroupOf.get(p.name)).find((g) => g !== undefined);
      if (saved) replaceHyper(group.hyper, saved);
      for (const param of group.params) {
        known.add(param.name);
        if (!savedGroupOf.has(param.name)) missing.push(param.name);
        this.loadParamState(param, tensors, meta.state[param.name]);
      }
    }
    return { missing, unexpected: [...savedGroupOf.keys()].filter((n) => !known.has(n)) };
  }

  /** Frees every state buffer; the optimizer is unusable afterwards (the parameters belong to the model). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.states.values()) for (const b of s.buffers.values()) b.dispose();
    this.states.clear();
  }

  /** One parameter's update, run inside `step`'s tidy; `hyper` is its group's hyper-parameters. */
  protected abstract updateParameter(param: OptimParam, grad: tf.Tensor, hyper: Readonly<Hyper>, state: ParamState): void;

  /** Stores `value` as buffer `name`: assigned into the existing variable, or kept in a new one on first use. */
  protected setBuffer(state: ParamState, name: string, value: tf.Tensor): void {
    const existing = state.buffers.get(name);
    // tf.variable shares value's data (by reference count) and is never freed by tidy: no copy, no leak.
    if (existing) existing.assign(value);
    else state.buffers.set(name, tf.variable(value, false));
  }

  private stateOf(name: string): ParamState {
    let s = this.states.get(name);
    if (!s) this.states.set(name, (s = { buffers: new Map(), scalars: {} }));
    return s;
  }

  private loadParamState(param: OptimParam, tensors: ReadonlyMap<string, tf.Tensor>, scalars: Record<string, number> | undefined): void {
    const fresh: ParamState = { buffers: new Map(), scalars: { ...(scalars ?? {}) } };
    for (const buffer of this.bufferNames) {
      const key = stateKey(param.name, buffer);
      const t = tensors.get(key);
      if (t === undefined) continue;
      if (!sameShape(t.shape, param.variable.shape)) {
        for (const b of fresh.buffers.values()) b.dispose();
        throw new DetlabError(
          `${this.type}.loadStateDict: '${key}' has shape [${t.shape}], expected [${param.variable.shape}] (the shape of parameter '${param.name}')`,
        );
      }
      fresh.buffers.set(buffer, tf.variable(t, false, undefined, 'float32'));
    }
    const old = this.states.get(param.name);
    if (old) for (const b of old.buffers.values()) b.dispose();
    if (fresh.buffers.size === 0 && Object.keys(fresh.scalars).length === 0) this.states.delete(param.name);
    else this.states.set(param.name, fresh);
  }

  private assertUsable(method: string): void {
    if (this.disposed) throw new DetlabError(`${this.type}.${method}: the optimizer was disposed`);
  }
}

/**
 * The state-dict key of a parameter's buffer: `backbone.conv1.weight.momentum_buffer`.
 *
 * @example
 * stateKey('backbone.conv1.weight', 'momentum_buffer'); // optimizer: { type: 'SGD', momentum: 0.9 }
 */
export function stateKey(param: string, buffer: string): string {
  return `${param}.${buffer}`;
}

function replaceHyper(hyper: Hyper, saved: Record<string, HyperValue | string[]>): void {
  for (const key of Object.keys(hyper)) delete hyper[key];
  const { params: _params, ...rest } = saved;
  Object.assign(hyper, cloneHyper(rest as Hyper));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
