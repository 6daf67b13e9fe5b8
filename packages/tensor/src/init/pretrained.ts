/**
 * `init_cfg: { type: 'Pretrained', checkpoint, prefix }`: loads weights by name into a module, non-strictly as
 * MMEngine's `PretrainedInit` does (missing and unexpected keys are reported, not fatal).
 */
import { loadModule } from '../checkpoint/module-checkpoint.js';
import type { LoadStateDictReport } from '../checkpoint/load-state-dict.js';
import type { Module } from '../module/module.js';
import type { InitCfgItem } from './init-cfg.js';

/** What one Pretrained init loaded, for the run log. */
export interface PretrainedReport extends LoadStateDictReport {
  checkpoint: string;
  prefix: string | undefined;
}

/** Loads `cfg.checkpoint` (keys under `cfg.prefix`, prefix removed) into `module`. */
export async function loadPretrained(module: Module, cfg: Extract<InitCfgItem, { type: 'Pretrained' }>): Promise<PretrainedReport> {
  const { report } = await loadModule(cfg.checkpoint, module, { prefix: cfg.prefix, strict: false });
  return { ...report, checkpoint: cfg.checkpoint, prefix: cfg.prefix };
}
