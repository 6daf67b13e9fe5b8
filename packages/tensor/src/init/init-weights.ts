/**
 * `initWeights(model)`: applies every module's `init_cfg` in MMEngine's order (`BaseModule.init_weights`):
 * a module's own value initialisers first, over the whole subtree by `layer` class names and `override` child
 * names; then each child's `init_cfg`, which therefore wins over its parent's; `Pretrained` last.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError } from '@detlab/core';
import { initLayerNames, type Module } from '../module/module.js';
import { initCfgItemSchema, type InitCfg, type InitCfgItem } from './init-cfg.js';
import { initialBias, initialWeight } from './initializers.js';
import { loadPretrained, type PretrainedReport } from './pretrained.js';

type ValueInit = Exclude<InitCfgItem, { type: 'Pretrained' }>;
type PretrainedInit = Extract<InitCfgItem, { type: 'Pretrained' }>;

/** Initialises `module` and its descendants from their `init_cfg`s; returns what Pretrained loads reported. */
export async function initWeights(module: Module): Promise<PretrainedReport[]> {
  const items = toList(module.initCfg).map((cfg) => initCfgItemSchema.parse(cfg));
  for (const cfg of items) if (cfg.type !== 'Pretrained') applyValueInit(module, cfg);
  const reports: PretrainedReport[] = [];
  for (const [, child] of module.namedChildren()) reports.push(...(await initWeights(child)));
  for (const cfg of items) if (cfg.type === 'Pretrained') reports.push(await loadPretrained(module, cfg as PretrainedInit));
  return reports;
}

/** One value initialiser over `module`'s subtree: modules whose class matches `layer`, then `override`s. */
function applyValueInit(module: Module, cfg: ValueInit): void {
  const layers = new Set(toList(cfg.layer));
  const overrides = toList(cfg.override);
  if (layers.size > 0) {
    for (const [, m] of module.namedModules()) {
      if ([...initLayerNames(m)].some((name) => layers.has(name))) initOwnWeights(m, cfg);
    }
  } else if (overrides.length === 0) {
    initOwnWeights(module, cfg);
  }
  for (const { name, ...rest } of overrides) {
    const target = module.namedModules().find(([path]) => path === name)?.[1];
    if (!target) {
      const children = module.namedChildren().map(([n]) => n);
      throw new DetlabError(`init_cfg.override: ${module.constructor.name} has no child '${name}' (children: ${children.join(', ')})`);
    }
    // An override without a type takes its parent's initialiser and changes only the keys it gives (MMEngine).
    const { layer: _layer, override: _override, ...inherited } = cfg;
    const merged = initCfgItemSchema.parse(rest.type ? rest : { ...inherited, ...rest });
    if (merged.type === 'Pretrained') throw new DetlabError(`init_cfg.override '${name}': Pretrained cannot be an override`);
    initOwnWeights(target, merged);
  }
}

/** Sets `module`'s own `weight` and `bias` (not its children's) as `cfg` says. */
function initOwnWeights(module: Module, cfg: ValueInit): void {
  const weight = module.parameter('weight')?.variable;
  // Fan-based initialisers need a rank ≥ 2 weight; MMEngine skips them on norms too (they match by layer).
  if (weight && (weight.rank >= 2 || cfg.type === 'Constant' || cfg.type === 'Normal' || cfg.type === 'Uniform')) {
    assignFresh(weight, initialWeight(cfg, weight.shape));
  }
  const bias = module.parameter('bias')?.variable;
  if (bias) assignFresh(bias, tf.fill(bias.shape, initialBias(cfg)));
}

function assignFresh(variable: tf.Variable, value: tf.Tensor): void {
  variable.assign(value);
  value.dispose();
}

function toList<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as T[])] : [value as T];
}

export type { InitCfg };
