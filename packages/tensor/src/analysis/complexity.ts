/**
 * Parameters and multiply-accumulates (MACs) per module, counted during one real forward pass; the numbers
 * `model-summary` prints.
 *
 * Every layer below the model gets its `forward` wrapped for the length of the pass; each call records the
 * cost of that call from its input and output shapes, so a module called twice (ReLU, shared heads over FPN
 * levels) is counted twice, and the sizes are the real ones (padding, strides, FPN levels). Costs of a
 * module include its descendants'.
 *
 * Two counts, as the two usual conventions differ:
 * - `macs`: convolutions only, k_h·k_w·C_in/groups·C_out·H_out·W_out per image, as fvcore and torchvision's
 *   model cards count (ResNet-50 at 224×224: 4.09 G; the classifier's fc, which detection backbones lack,
 *   adds 2 M).
 * - `elementwise`: what mmcv's `get_model_complexity_info` adds on top: conv bias (one add per output),
 *   batch/group norm (one per element, two when affine), ReLU (one per element), max pooling (one per input
 *   element) and `Scale` (one per element).
 * Additions of residuals and FPN upsampling are tensor ops, not modules, and are not counted by either.
 *
 * @example
 * const report = await countComplexity(net, () => tf.dispose(net.forward(tf.zeros([1, 224, 224, 3]))));
 * report.total.macs; // 4.09e9 for ResNet-50
 */
import type * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d } from '../layers/batch-norm.js';
import { Conv2d } from '../layers/conv2d.js';
import { GroupNorm } from '../layers/group-norm.js';
import { MaxPool2d } from '../layers/max-pool.js';
import { ReLU } from '../layers/activation.js';
import { Scale } from '../layers/scale.js';
import { pair } from '../layers/pair.js';
import type { Module } from '../module/module.js';

/** Cost of one module, its descendants included. */
export interface ModuleCost {
  /** Dotted path ('' for the root), as in state dicts. */
  name: string;
  /** Class name. */
  type: string;
  /** Nesting depth: 0 for the root, 1 for its children, ... */
  depth: number;
  /** Parameter elements (buffers excluded). */
  params: number;
  /** Convolution multiply-accumulates (fvcore's convention). */
  macs: number;
  /** Bias, norm, activation and pooling operations (what mmcv counts besides). */
  elementwise: number;
  /** Number of forward calls seen (0: not run in this pass). */
  calls: number;
}

/** The costs of every module of a model, in `namedModules` order. */
export interface ComplexityReport {
  modules: ModuleCost[];
  total: { params: number; macs: number; elementwise: number };
  /** Leaf modules with parameters that ran but whose cost no rule knows (their MACs are missing). */
  uncounted: string[];
}

type Cost = { macs: number; elementwise: number };
type ForwardFn = (...args: unknown[]) => unknown;

/**
 * Runs `pass` (one forward pass of `model`, or of a model that contains it) with every layer of `model`
 * instrumented, and returns the costs; `forward` methods are restored afterwards, also when `pass` throws.
 */
export async function countComplexity(model: Module, pass: () => unknown): Promise<ComplexityReport> {
  const modules = model.namedModules();
  const seen = new Map<string, Cost & { calls: number }>();
  const unknown = new Set<string>();
  const restore: Array<() => void> = [];
  for (const [path, module] of modules) {
    const target = module as unknown as { forward?: ForwardFn };
    const original = target.forward;
    if (typeof original !== 'function') continue;
    const isLeaf = module.namedChildren().length === 0;
    const own = Object.prototype.hasOwnProperty.call(target, 'forward');
    // Deleting an own wrapper uncovers the class's method again; an own forward (a class field) is put back.
    restore.push(own ? () => void (target.forward = original) : () => void delete target.forward);
    target.forward = (...args: unknown[]) => {
      const out = original.apply(module, args);
      const entry = seen.get(path) ?? { macs: 0, elementwise: 0, calls: 0 };
      entry.calls += 1;
      if (isLeaf) {
        const cost = layerCost(module, args[0], out);
        if (cost) {
          entry.macs += cost.macs;
          entry.elementwise += cost.elementwise;
        } else if (module.parameterCount() > 0) {
          unknown.add(`${path || '(root)'} (${module.constructor.name})`);
        }
      }
      seen.set(path, entry);
      return out;
    };
  }
  try {
    await pass();
  } finally {
    for (const undo of restore) undo();
  }
  return report(modules, seen, [...unknown]);
}

/** Aggregates leaf costs into every ancestor path. */
function report(modules: Array<[string, Module]>, seen: Map<string, Cost & { calls: number }>, uncounted: string[]): ComplexityReport {
  const rows: ModuleCost[] = modules.map(([name, module]) => ({
    name,
    type: module.constructor.name,
    depth: name === '' ? 0 : name.split('.').length,
    params: module.parameterCount(),
    macs: 0,
    elementwise: 0,
    calls: seen.get(name)?.calls ?? 0,
  }));
  const byName = new Map(rows.map((row) => [row.name, row]));
  for (const [name, module] of modules) {
    if (module.namedChildren().length > 0) continue;
    const cost = seen.get(name);
    if (!cost) continue;
    for (const prefix of ancestors(name)) {
      const row = byName.get(prefix)!;
      row.macs += cost.macs;
      row.elementwise += cost.elementwise;
    }
  }
  const root = rows[0]!;
  return { modules: rows, total: { params: root.params, macs: root.macs, elementwise: root.elementwise }, uncounted };
}

/** The cost of one call of a known layer, or undefined for a layer no rule covers. */
function layerCost(module: Module, input: unknown, output: unknown): Cost | undefined {
  const inSize = sizeOf(input);
  const outSize = sizeOf(output);
  if (module instanceof Conv2d) {
    const { in_channels, kernel_size, bias } = module.options;
    const [kh, kw] = pair(kernel_size);
    // outSize = N·H_out·W_out·C_out; groups is always 1 in detlab's Conv2d.
    return { macs: kh * kw * in_channels * outSize, elementwise: bias ? outSize : 0 };
  }
  if (module instanceof BatchNorm2d || module instanceof GroupNorm) {
    return { macs: 0, elementwise: module.options.affine ? 2 * outSize : outSize };
  }
  if (module instanceof ReLU || module instanceof Scale) return { macs: 0, elementwise: outSize };
  if (module instanceof MaxPool2d) return { macs: 0, elementwise: inSize };
  return undefined;
}

/** Elements of a tensor (or of every tensor in an array), 0 for anything else. */
function sizeOf(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + sizeOf(v), 0);
  const shape = (value as tf.Tensor | undefined)?.shape;
  return Array.isArray(shape) ? shape.reduce((a, b) => a * b, 1) : 0;
}

/** '' and every dotted prefix of `name`, itself included. */
function ancestors(name: string): string[] {
  if (name === '') return [''];
  const parts = name.split('.');
  return ['', ...parts.map((_, i) => parts.slice(0, i + 1).join('.'))];
}

/**
 * `n` in short engineering form: 4.09 G, 11.2 M, 512 (for tables and logs).
 *
 * @example
 * formatCount(4_089_184_256); // '4.09 G'
 */
export function formatCount(n: number): string {
  const units: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, unit] of units) if (Math.abs(n) >= size) return `${(n / size).toPrecision(3)} ${unit}`;
  return String(n);
}
