/**
 * Checkpoints of a `Module`: its state dict saved by name, and loaded back by name from detlab or PyTorch
 * layout (the module's parameter kinds drive the conversion).
 *
 * @example
 * await saveModule('work_dirs/r18.safetensors', backbone, { epoch: 1 });
 * const report = await loadModule('resnet18_torchvision.safetensors', backbone, { strict: false });
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module/module.js';
import { saveCheckpoint } from './checkpoint-io.js';
import { loadCheckpointInto, type LoadCheckpointIntoOptions, type LoadStateDictReport, type StateDictTarget } from './load-state-dict.js';

/** `module` as a load target: its shapes, kinds and variables (values are cast to each variable's dtype). */
export function moduleStateTarget(module: Module): StateDictTarget {
  const state = module.stateDict();
  const kinds = module.stateKinds();
  return {
    shapes: new Map([...state].map(([name, t]) => [name, t.shape])),
    kinds: (name) => kinds.get(name),
    assign: (name, value) => {
      const variable = state.get(name) as tf.Variable;
      // Files may store int64 counters or float16 weights: the variable keeps its own dtype.
      if (value.dtype === variable.dtype) variable.assign(value);
      else tf.tidy(() => variable.assign(tf.cast(value, variable.dtype)));
    },
  };
}

/** Saves `module`'s parameters and buffers, atomically, with JSON `metadata`. */
export async function saveModule(path: string, module: Module, metadata: Record<string, unknown> = {}): Promise<void> {
  await saveCheckpoint(path, module.stateDict(), metadata);
}

/** Loads a checkpoint into `module` by name; strict by default (throws listing every missing/unexpected key). */
export async function loadModule(
  path: string,
  module: Module,
  options: LoadCheckpointIntoOptions = {},
): Promise<{ report: LoadStateDictReport; metadata: Record<string, unknown> }> {
  return loadCheckpointInto(path, moduleStateTarget(module), options);
}
