/**
 * @detlab/wandb: the W&B vis backend over @wandb/sdk, and offline-run sync (issue 6); W&B-compatible sweeps:
 * search methods, hyperband early termination, agents and the sweep folder (issue 8, `sweeps/`).
 *
 * Importing this package registers `WandbVisBackend` in VISBACKENDS, `grid`, `random` and `bayes` in
 * SWEEP_METHODS and `SweepTrialHook` in HOOKS.
 */
export {
  WandbVisBackend,
  wandbVisBackendSchema,
  wandbInitKwargsSchema,
  resolveMode,
  expandRunName,
  type WandbVisBackendOptions,
  type WandbMode,
} from './wandb-vis-backend.js';
export { SummaryMetrics, defineMetricCfgSchema, summaryKey, type DefineMetricCfg } from './summary-metrics.js';
export { wrapConfig, unwrapConfig, type WandbConfig } from './run-config.js';
export {
  OfflineRun,
  readOfflineRun,
  findOfflineRuns,
  offlineRunDir,
  OFFLINE_RUN_FORMAT,
  OFFLINE_FILES,
  type OfflineRunInfo,
  type OfflineRunContents,
  type OfflineRunOptions,
} from './offline-run.js';
export { syncOfflineRun, SYNCED_FILE, type SyncOfflineRunOptions, type SyncOfflineRunResult } from './sync.js';
export { SdkClient, type SdkClientOptions, type SdkFinishResult } from './sdk-client.js';
export type { SdkRunInit, SdkSettings } from './sdk-worker.js';
export type { RunSink } from './run-sink.js';
export * from './sweeps/index.js';
