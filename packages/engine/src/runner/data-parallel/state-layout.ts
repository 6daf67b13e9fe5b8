/**
 * Where each parameter and buffer of a model lives in the shared memory that data-parallel replicas read
 * their weights from: parameters first (namedParameters order), then buffers, one 4-byte element per value.
 * The parameter region doubles as the layout of the gradients a replica sends back.
 *
 * Main and replicas build the layout from their own model; `layoutMismatch` tells when the two differ (a
 * replica built from a config that does not give the main thread's model).
 *
 * @example
 * const layout = stateLayout(model);
 * const shared = new SharedArrayBuffer(layout.totalElements * 4);
 * writeState(stateVariables(model), layout, shared); // then a replica: readState(...)
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError } from '@detlab/core';
import { copyValuesInto, type Module } from '@detlab/tensor';

/** One parameter or buffer in the shared state. */
export interface StateEntry {
  /** State-dict name (`backbone.bn1.running_mean`). */
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** First element, in 4-byte elements from the start of the buffer. */
  offset: number;
  /** Number of elements. */
  size: number;
  /** A parameter (gradients travel for it) rather than a buffer. */
  param: boolean;
}

/** The whole state; see the file comment. */
export interface StateLayout {
  entries: StateEntry[];
  /** Elements of the parameter region (entries with `param`), which come first. */
  paramElements: number;
  totalElements: number;
}

/** The layout of `model`'s parameters and buffers; throws for a dtype that is not 4 bytes wide. */
export function stateLayout(model: Module): StateLayout {
  const entries: StateEntry[] = [];
  let offset = 0;
  const add = (name: string, variable: tf.Variable, param: boolean): void => {
    if (variable.dtype !== 'float32' && variable.dtype !== 'int32') {
      throw new DetlabError(`Data-parallel training: ${param ? 'parameter' : 'buffer'} '${name}' has dtype ${variable.dtype}; only float32 and int32 state can be shared with replicas`, {
        hint: 'Set env_cfg.num_workers_train: 1 for this model.',
      });
    }
    entries.push({ name, shape: [...variable.shape], dtype: variable.dtype, offset, size: variable.size, param });
    offset += variable.size;
  };
  for (const [name, p] of model.namedParameters()) add(name, p.variable, true);
  const paramElements = offset;
  for (const [name, b] of model.namedBuffers()) add(name, b, false);
  return { entries, paramElements, totalElements: offset };
}

/** The variables of `model` in layout order: parameters, then buffers. */
export function stateVariables(model: Module): tf.Variable[] {
  return [...model.namedParameters().map(([, p]) => p.variable), ...model.namedBuffers().map(([, b]) => b)];
}

/** A description of the first difference between two layouts, or undefined when they match. */
export function layoutMismatch(expected: StateLayout, actual: StateLayout): string | undefined {
  const n = Math.max(expected.entries.length, actual.entries.length);
  for (let i = 0; i < n; i++) {
    const e = expected.entries[i];
    const a = actual.entries[i];
    if (!e || !a || e.name !== a.name || e.dtype !== a.dtype || e.param !== a.param || e.shape.join() !== a.shape.join()) {
      return `entry ${i}: main thread has ${describeEntry(e)}, the replica ${describeEntry(a)}`;
    }
  }
  return undefined;
}

/** Copies the values of `variables` (layout order) into `shared`. */
export function writeState(variables: readonly tf.Variable[], layout: StateLayout, shared: SharedArrayBuffer): void {
  const f32 = new Float32Array(shared);
  const i32 = new Int32Array(shared);
  layout.entries.forEach((entry, i) => copyValuesInto(variables[i], entry.dtype === 'int32' ? i32 : f32, entry.offset));
}

/** Assigns the values in `shared` to `variables` (layout order). */
export function readState(variables: readonly tf.Variable[], layout: StateLayout, shared: SharedArrayBuffer): void {
  const f32 = new Float32Array(shared);
  const i32 = new Int32Array(shared);
  // wasm copies a new tensor's values into its heap at once; other backends may keep the array itself, which
  // the main thread overwrites before the next step.
  const copy = tf.getBackend() !== 'wasm';
  tf.tidy(() => {
    layout.entries.forEach((entry, i) => {
      const view = (entry.dtype === 'int32' ? i32 : f32).subarray(entry.offset, entry.offset + entry.size);
      variables[i].assign(tf.tensor(copy ? view.slice() : view, entry.shape, entry.dtype));
    });
  });
}

function describeEntry(entry: StateEntry | undefined): string {
  if (!entry) return 'nothing';
  return `${entry.param ? 'parameter' : 'buffer'} '${entry.name}' [${entry.shape.join(', ')}] ${entry.dtype}`;
}
