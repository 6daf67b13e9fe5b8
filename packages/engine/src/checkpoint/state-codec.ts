/**
 * Splitting nested state (checkpoint dicts, optimizer and hook states) into named tensors and JSON, and back.
 *
 * A tensor becomes `{"__tensor__": name}` where `name` is its dotted path (`optimizer.state.0.momentum`); a
 * `Map` whose values are all tensors (a state dict) becomes `{"__tensors__": prefix}` and its tensors are named
 * `prefix.<key>`, so the model weights of a checkpoint are exactly the `state_dict.*` tensors of the file and a
 * plain safetensors reader can load them. Other maps keep their entries; non-finite numbers (a best score of
 * -Infinity) survive JSON as `{"__number__": "-Infinity"}`.
 *
 * @example
 * const tensors = new Map<string, tf.Tensor>();
 * const json = encodeState({ step: 3, m: momentum }, 'optimizer', tensors); // { step: 3, m: { __tensor__: 'optimizer.m' } }
 * decodeState(json, tensors); // { step: 3, m: <the tensor> }
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '@detlab/tensor';
import { isPlainObject } from '@detlab/core';

/**
 * The JSON form of `value`, moving each tensor into `tensors` under its dotted path from `name`. Tensors are
 * only referenced, never copied or disposed. Throws a `CheckpointError` naming the path of anything that is
 * neither JSON data, a tensor nor a map.
 */
export function encodeState(value: unknown, name: string, tensors: Map<string, tf.Tensor>): unknown {
  if (value instanceof tf.Tensor) return { __tensor__: addTensor(tensors, name, value) };
  if (value instanceof Map) {
    if (value.size > 0 && [...value.values()].every((v) => v instanceof tf.Tensor)) {
      for (const [key, tensor] of value) addTensor(tensors, `${name}.${String(key)}`, tensor as tf.Tensor);
      return { __tensors__: name };
    }
    return { __map__: Object.fromEntries([...value].map(([k, v]) => [String(k), encodeState(v, `${name}.${String(k)}`, tensors)])) };
  }
  if (Array.isArray(value)) return value.map((v, i) => encodeState(v, `${name}.${i}`, tensors));
  if (typeof value === 'number' && !Number.isFinite(value)) return { __number__: String(value) };
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeState(v, `${name}.${k}`, tensors);
    return out;
  }
  throw new CheckpointError(`cannot save '${name}' in a checkpoint: expected JSON data, a tensor or a Map, got ${kindOf(value)}`, {
    hint: 'State dicts hold plain data, tf.Tensors and Maps of them.',
  });
}

/** The value `encodeState` encoded, with its tensors taken from `tensors` (shared, not copied). */
export function decodeState(json: unknown, tensors: ReadonlyMap<string, tf.Tensor>): unknown {
  if (Array.isArray(json)) return json.map((v) => decodeState(v, tensors));
  if (!isPlainObject(json)) return json;
  if (typeof json.__tensor__ === 'string') return requireTensor(tensors, json.__tensor__);
  if (typeof json.__tensors__ === 'string') {
    const prefix = `${json.__tensors__}.`;
    return new Map([...tensors].filter(([key]) => key.startsWith(prefix)).map(([key, t]) => [key.slice(prefix.length), t]));
  }
  if (typeof json.__number__ === 'string') return Number(json.__number__);
  if (isPlainObject(json.__map__)) {
    return new Map(Object.entries(json.__map__).map(([k, v]) => [k, decodeState(v, tensors)]));
  }
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, decodeState(v, tensors)]));
}

function addTensor(tensors: Map<string, tf.Tensor>, name: string, tensor: tf.Tensor): string {
  if (tensors.has(name)) {
    throw new CheckpointError(`two tensors of the checkpoint would both be named '${name}'`, {
      hint: 'Keys of a state must not contain dots that repeat another path.',
    });
  }
  tensors.set(name, tensor);
  return name;
}

function requireTensor(tensors: ReadonlyMap<string, tf.Tensor>, name: string): tf.Tensor {
  const tensor = tensors.get(name);
  if (!tensor) throw new CheckpointError(`the checkpoint's metadata names tensor '${name}', which the file does not hold`);
  return tensor;
}

function kindOf(value: unknown): string {
  if (typeof value === 'object' && value !== null) return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return typeof value;
}
