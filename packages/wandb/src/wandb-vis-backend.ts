/**
 * `WandbVisBackend`: scalars and the config to Weights & Biases, as MMEngine's `WandbVisBackend`
 * (mmdet-semantics §3.10), over `@wandb/sdk` 0.5.1 (reference/wandb.md §9), which needs care:
 *
 * - **One row per step.** Scalars of the same step are merged into one history row, sent when a later step
 *   arrives (or at `close`), with that explicit step. A call with a *lower* step (per-epoch val metrics
 *   after per-iteration train rows) joins the pending row: the SDK would otherwise drop it (§9.6). MMEngine
 *   ignores `step` altogether; keeping W&B's step equal to the train iteration lets charts share an x-axis,
 *   and each train row also carries `epoch` and `iter`. On a key clash inside a row, the later value wins.
 * - **Config as the UI shows it**: `{key: {value}}`, `init_kwargs.config` merged under the run's config,
 *   sent once when the run starts (the SDK cannot update it later). The run starts lazily, at `addConfig`
 *   or at the first `addScalars`, as MMEngine's does.
 * - **Summary keys for best metrics** from `define_metric_cfg` (see `summary-metrics.ts`).
 * - **Failures never stop training.** Server down, bad API key, 5xx, timeouts: one warning (with what to
 *   do), then the backend is off for the rest of the run. Calls never throw and never wait on the network,
 *   except `close`, which waits up to `timeout` seconds for the last upload.
 * - **Offline** (`WANDB_MODE=offline`, or `init_kwargs.mode: 'offline'`): no network at all; an offline
 *   run folder under `<init_kwargs.dir or save_dir>/wandb/` that `nx run trainer:wandb-sync` uploads later.
 *   `disabled` (either place) turns the backend off. When env and `init_kwargs` disagree, the one that sends
 *   less wins: disabled, then offline, then online.
 *
 * `init_kwargs.name` may hold `{run_id}` (the run folder's 5-character id) and `{experiment_name}` (the run
 * folder's name); see `expandRunName`.
 *
 * The SDK sends only `project`, `entity`, `name`, `id` and `config` of `init_kwargs` (§9.1); `tags`,
 * `group`, `notes`, `job_type` and the rest are reported once as not sent (and kept in an offline run's
 * `run.json`). `log_code_name` is ignored: the SDK cannot upload files. `watch_kwargs` is ignored: the SDK
 * has no `watch`, and detlab models are not torch modules. `commit` is accepted for MMEngine configs; rows
 * are always committed when the step advances, so `commit: false` changes nothing (and says so).
 *
 * @example
 * vis_backends: [
 *   { type: 'LocalVisBackend' },
 *   { type: 'WandbVisBackend', init_kwargs: { project: 'detlab', name: 'atss_r18' }, define_metric_cfg: { 'coco/bbox_mAP': 'max' } },
 * ]
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { ConsoleLogger, VISBACKENDS, type Logger } from '@detlab/core';
import { configText, type VisBackend } from '@detlab/engine';
import { z } from 'zod';
import { OfflineRun } from './offline-run.js';
import { wrapConfig } from './run-config.js';
import type { RunSink } from './run-sink.js';
import { SdkClient } from './sdk-client.js';
import { SummaryMetrics, defineMetricCfgSchema } from './summary-metrics.js';

/** `init_kwargs`: W&B's `init` arguments (any are accepted; see the file comment for which are sent). */
export const wandbInitKwargsSchema = z.looseObject({
  project: z.string().optional(),
  name: z.string().optional(),
  entity: z.string().optional(),
  /** Run id (letters, digits, `-`, `_`); a random 8-character id by default, as W&B makes them. */
  id: z.string().regex(/^[\w-]+$/, 'expected letters, digits, - or _').optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  mode: z.enum(['online', 'offline', 'disabled']).optional(),
  /** Folder that receives `wandb/` (offline runs); the run folder by default, as MMEngine sets `dir`. */
  dir: z.string().optional(),
  tags: z.array(z.string()).optional(),
  group: z.string().optional(),
  notes: z.string().optional(),
  job_type: z.string().optional(),
});

/** Options of `WandbVisBackend` (MMEngine's names, plus `timeout`). */
export const wandbVisBackendSchema = z.strictObject({
  /** The run folder; the runner sets it. */
  save_dir: z.string(),
  init_kwargs: wandbInitKwargsSchema.default({}),
  /** Summaries to keep, e.g. `{'coco/bbox_mAP': 'max'}`; see `summary-metrics.ts`. */
  define_metric_cfg: defineMetricCfgSchema.default(null),
  commit: z.boolean().default(true),
  log_code_name: z.string().nullable().default(null),
  watch_kwargs: z.record(z.string(), z.unknown()).nullable().default(null),
  /** Seconds that starting the W&B run, and finishing it at `close`, may each take before giving up. */
  timeout: z.number().positive().default(60),
});

/** Options of `WandbVisBackend`, as configs write them (`save_dir` comes from the runner). */
export type WandbVisBackendOptions = z.input<typeof wandbVisBackendSchema>;

/** Where a run goes: the server, an offline folder, or nowhere. */
export type WandbMode = 'online' | 'offline' | 'disabled';

/** init_kwargs that this backend uses or that have no meaning here; every other key is reported as not sent. */
const HANDLED_KWARGS = new Set(['project', 'entity', 'name', 'id', 'config', 'mode', 'dir', 'allow_val_change', 'reinit']);

/** Scalars and config to W&B; see the file comment. */
@VISBACKENDS.register({
  name: 'WandbVisBackend',
  schema: wandbVisBackendSchema.partial({ save_dir: true }),
  description: 'Logs scalars and the config to Weights & Biases, or to an offline run folder (MMEngine WandbVisBackend).',
})
export class WandbVisBackend implements VisBackend {
  readonly options: z.output<typeof wandbVisBackendSchema>;
  /** Where this run goes, from `init_kwargs.mode` and `WANDB_MODE` (read when the backend is built). */
  readonly mode: WandbMode;
  private sink: RunSink | undefined;
  private pending: { step: number; row: Record<string, number> } | undefined;
  private readonly summaries: SummaryMetrics;
  private off: boolean;
  private closed = false;
  private lateConfigWarned = false;

  /** `logger` receives the one failure warning; the run's logger when the runner passes it. */
  constructor(
    options: WandbVisBackendOptions,
    public logger: Logger = new ConsoleLogger(),
  ) {
    this.options = wandbVisBackendSchema.parse(options);
    this.mode = resolveMode(this.options.init_kwargs.mode, process.env.WANDB_MODE);
    this.off = this.mode === 'disabled';
    this.summaries = new SummaryMetrics(this.options.define_metric_cfg, 'define_metric_cfg');
    this.warnIgnoredOptions();
  }

  /** The offline run folder, once an offline run has started. */
  get offlineDir(): string | undefined {
    return this.sink instanceof OfflineRun ? this.sink.dir : undefined;
  }

  /** Starts the run with `text` (the config's JSON dump) as its config. */
  addConfig(config: Record<string, unknown>, text: string): void {
    if (this.off || this.closed) return;
    if (this.sink) {
      if (!this.lateConfigWarned) this.logger.warn('[WandbVisBackend] The config arrived after the W&B run started, so it is not sent (@wandb/sdk 0.5.1 sends the config only when a run starts).');
      this.lateConfigWarned = true;
      return;
    }
    this.start(parseConfigText(text, config));
  }

  /** Adds `scalars` to the row of `step` (a lower step joins the pending row); see the file comment. */
  addScalars(scalars: Record<string, number>, step: number): void {
    if (this.off || this.closed) return;
    this.start();
    // Integer steps keep the SDK's rule "send a row only if step >= rows sent" true for every row (§9.6).
    const at = Math.max(0, Math.floor(step));
    if (this.pending && at <= this.pending.step) {
      Object.assign(this.pending.row, scalars);
      return;
    }
    this.flush();
    this.pending = { step: at, row: { ...scalars } };
  }

  /** Sends the last row and finishes the run (waits at most `timeout` seconds); never throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.off || !this.sink) return;
    this.flush();
    const result = await this.sink.finish(0);
    if (!result.ok || this.off) return;
    if (this.mode === 'offline') {
      this.logger.info(`[WandbVisBackend] Offline W&B run saved in ${result.url}; upload it with: nx run trainer:wandb-sync --run=${result.url}`);
    } else {
      this.logger.info(`[WandbVisBackend] W&B run: ${result.url}`);
    }
  }

  private start(runConfig: Record<string, unknown> = {}): void {
    if (this.sink || this.off) return;
    const kwargs = this.options.init_kwargs;
    const unsent = Object.fromEntries(Object.entries(kwargs).filter(([key]) => !HANDLED_KWARGS.has(key)));
    const onFailure = (reason: string) => this.fail(reason);
    this.sink =
      this.mode === 'offline'
        ? new OfflineRun(kwargs.dir ?? this.options.save_dir, { unsent, onFailure })
        : new SdkClient({ timeoutMs: this.options.timeout * 1000, onFailure });
    if (Object.keys(unsent).length) {
      this.logger.warn(`[WandbVisBackend] init_kwargs ${Object.keys(unsent).join(', ')} are not sent: @wandb/sdk 0.5.1 sends only project, entity, name, id and config.`);
    }
    const config = wrapConfig({ ...(kwargs.config ?? {}), ...runConfig });
    try {
      this.sink.start({ id: kwargs.id ?? newRunId(), project: kwargs.project, entity: kwargs.entity, name: expandRunName(kwargs.name, this.options.save_dir), config });
    } catch (error) {
      // Only a broken install gets here (the SDK missing, no worker threads): still not a reason to stop training.
      this.fail(`could not start: ${(error as Error).message}`);
    }
  }

  private flush(): void {
    if (!this.pending || !this.sink) return;
    const { step, row } = this.pending;
    this.pending = undefined;
    this.summaries.annotate(row);
    this.sink.log(row, step);
  }

  private fail(reason: string): void {
    if (this.off) return;
    this.off = true;
    this.pending = undefined;
    this.logger.warn(`[WandbVisBackend] W&B logging is off for the rest of this run: ${reason}. ${this.hint(reason)} Training goes on; the text log and the other vis backends keep the metrics.`);
  }

  private hint(reason: string): string {
    if (this.mode === 'offline') return 'Check that the folder is writable and has space.';
    const baseUrl = this.sink instanceof SdkClient ? this.sink.baseUrl : 'the W&B server';
    if (/HTTP 40[13]|API key/i.test(reason)) return `Check WANDB_API_KEY (or the key for ${baseUrl} in ~/.netrc).`;
    return `Check that ${baseUrl} (WANDB_BASE_URL) is reachable, or set WANDB_MODE=offline and upload the run later with nx run trainer:wandb-sync --run=DIR.`;
  }

  private warnIgnoredOptions(): void {
    const { log_code_name, watch_kwargs, commit } = this.options;
    if (log_code_name !== null) this.logger.warn('[WandbVisBackend] log_code_name is ignored: @wandb/sdk 0.5.1 cannot upload files.');
    if (watch_kwargs !== null) this.logger.warn('[WandbVisBackend] watch_kwargs is ignored: @wandb/sdk 0.5.1 has no watch(), and detlab models are not torch modules.');
    if (!commit) this.logger.warn('[WandbVisBackend] commit: false changes nothing: rows are merged by step and committed when the step advances.');
  }
}

/** The mode from `init_kwargs.mode` and `WANDB_MODE` (`dryrun` is W&B's old name for offline); see the file comment. */
export function resolveMode(kwargsMode: string | undefined, envMode: string | undefined): WandbMode {
  const modes = [kwargsMode, envMode === 'dryrun' ? 'offline' : envMode];
  if (modes.includes('disabled')) return 'disabled';
  return modes.includes('offline') ? 'offline' : 'online';
}

/**
 * `init_kwargs.name` with `{run_id}` replaced by the run folder's 5-character id and `{experiment_name}` by the
 * run folder's name (`<YYYY-MM-DD_HH-MM-SS>_<id>`), so a W&B run can be named after its work dir before the
 * runner exists: sweeps name trials `<config>_{run_id}`.
 */
export function expandRunName(name: string | undefined, saveDir: string): string | undefined {
  if (name === undefined) return undefined;
  const folder = basename(saveDir);
  const id = /_([0-9a-z]{5})$/.exec(folder)?.[1] ?? folder;
  return name.replaceAll('{run_id}', id).replaceAll('{experiment_name}', folder);
}

/** A run id as W&B makes them: 8 characters from [a-z0-9] (§9.1). */
function newRunId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(8), (byte) => alphabet[byte % alphabet.length]).join('');
}

/** The config as plain JSON: `text` is the runner's JSON dump; a caller without one gets `config` dumped. */
function parseConfigText(text: string, config: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return JSON.parse(configText(config)) as Record<string, unknown>;
  }
}
