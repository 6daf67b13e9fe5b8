/**
 * Where `WandbVisBackend` sends a run: the W&B server (`SdkClient`) or an offline run folder (`OfflineRun`).
 *
 * Both take the run in its final form: the config already wrapped, rows already merged by step with
 * strictly increasing steps, summary keys already added. Neither throws: a sink that fails reports it once
 * through its `onFailure` and ignores later calls.
 *
 * @example
 * const sink: RunSink = offline ? new OfflineRun(dir, { onFailure }) : new SdkClient({ onFailure });
 * sink.start({ id: 'a1b2c3d4', project: 'detlab', config: {} });
 */
import type { SdkFinishResult } from './sdk-client.js';
import type { SdkRunInit } from './sdk-worker.js';

/** A destination for one run; see the file comment. */
export interface RunSink {
  /** Begins the run. */
  start(init: SdkRunInit): void;
  /** Adds one history row at `step` (greater than the previous row's). */
  log(row: Record<string, unknown>, step: number): void;
  /** Ends the run with `exitCode` (0: finished); resolves once it is stored or given up. */
  finish(exitCode?: number): Promise<SdkFinishResult>;
}
