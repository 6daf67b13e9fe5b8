/**
 * What `Runner.fromConfig` does before the runner exists: the run's services (a child of the given container),
 * the log level, the run folder and its log file, the backend (`env_cfg.backend`, when set), the seed, the
 * dumped config, the vis backends, the model (MODELS, or a model object given in the config) and the hooks.
 *
 * @example
 * const init = await prepareRun(cfg, 'configs/atss/atss_r18_mnistdet.ts', { workDir: 'work_dirs/try1' });
 */
import { FILE_ACCESS, LOGGER, MODELS, createRunContainer, normalizeConfig, parseLogLevel, rootContainer, type DependencyContainer, type FileAccess, type Logger } from '@detlab/core';
import { Module, initBackend, setSeed, type BackendChoice } from '@detlab/tensor';
import { basename, join } from 'node:path';
import { buildHooks } from '../hooks/build-hooks.js';
import type { HookList } from '../hooks/hook-list.js';
import { buildVisualizer, type Visualizer } from '../visualization/visualizer.js';
import { configText } from './config-text.js';
import { oneDnnFor, wasmThreadsFor } from './data-parallel/from-config.js';
import { resolveSeed } from './randomness.js';
import { assertTrainableModel, type TrainableModel } from './trainable-model.js';
import { configNameOf, createRunDir, workDirRoot } from './work-dir.js';

/** Options of `Runner.fromConfig`; each wins over the config key of the same meaning. */
export interface RunnerOptions {
  /** The work dir root (`--work-dir`); run folders are made inside it. */
  workDir?: string;
  /** `true`: continue from the newest checkpoint of the work dir root; a path: continue from that file. */
  resume?: boolean | string;
  /** A checkpoint whose weights to load (not resumed), as `load_from`. */
  loadFrom?: string | null;
  /** The container run services come from (LOGGER, FILE_ACCESS, DATALOADER_FACTORY); the run gets a child of it. */
  services?: DependencyContainer;
  /** The config file, for the config name; defaults to the `Config`'s own file. */
  configFile?: string;
  /** Stop gracefully on SIGINT/SIGTERM during training (default true). */
  handleSignals?: boolean;
}

/** What `fromConfig` prepares for the constructor. */
export interface RunnerInit {
  cfg: Record<string, unknown>;
  container: DependencyContainer;
  logger: Logger;
  fileAccess: FileAccess;
  workDir: string;
  workDirRoot: string;
  configName: string;
  seed: number;
  visualizer: Visualizer;
  model: TrainableModel;
  hooks: HookList;
  resume: boolean;
  loadFrom: string | undefined;
  handleSignals: boolean;
}

/** Prepares everything a `Runner` is constructed with; see the file comment. */
export async function prepareRun(cfg: Record<string, unknown>, configFile: string | undefined, options: RunnerOptions): Promise<RunnerInit> {
  const container = createRunContainer({ config: cfg, configFile }, options.services ?? rootContainer);
  const logger = container.resolve(LOGGER);
  logger.level = parseLogLevel(typeof cfg.log_level === 'string' ? cfg.log_level : undefined) ?? logger.level;
  const configName = configNameOf(configFile);
  const root = workDirRoot({ override: options.workDir, configWorkDir: cfg.work_dir as string | undefined, configName });
  const workDir = await createRunDir(root);
  logger.addFile(join(workDir, `${basename(workDir)}.log`));
  const backend = (cfg.env_cfg as { backend?: BackendChoice } | undefined)?.backend;
  if (backend) await initBackend(backend, logger, { threads: wasmThreadsFor(cfg.env_cfg), onednn: oneDnnFor(cfg.env_cfg) });
  const seed = resolveSeed(cfg.randomness);
  setSeed(seed);
  const fileAccess = container.resolve(FILE_ACCESS);
  const text = configText(cfg);
  await fileAccess.writeAtomic(join(workDir, `${configName}.json`), text);
  const visualizer = buildVisualizer(cfg.vis_backends, workDir, logger);
  visualizer.addConfig(cfg, text);
  // A config written in a registered shorthand (the short KD form) builds its canonical model node.
  const model = cfg.model instanceof Module ? cfg.model : MODELS.build<unknown>(normalizeConfig(cfg).config.model, { path: 'model' });
  assertTrainableModel(model);
  const resumeOption = options.resume ?? cfg.resume;
  const loadFrom = typeof resumeOption === 'string' ? resumeOption : (options.loadFrom ?? (cfg.load_from as string | null | undefined) ?? undefined);
  return {
    cfg, container, logger, fileAccess, workDir, workDirRoot: root, configName, seed, visualizer, model,
    hooks: buildHooks(cfg),
    resume: resumeOption === true || typeof resumeOption === 'string',
    loadFrom,
    handleSignals: options.handleSignals ?? true,
  };
}
