/**
 * `MessageHub`: what one part of a run tells the others, as MMEngine's `mmengine/logging/message_hub.py`.
 *
 * Two stores: logged scalars (`train/loss`, `train/lr`, `val/coco/bbox_mAP`, ...), each a `HistoryBuffer` for
 * window averages, and runtime info (`epoch`, `iter`, `max_iters`, `best_score`, ...), latest value only. Hooks
 * write, others read: RuntimeInfoHook records losses, LoggerHook prints their window means, CheckpointHook
 * keeps its best score here. Its state is saved in checkpoints, so a resumed run's averages continue.
 *
 * @example
 * const hub = new MessageHub();
 * hub.updateScalar('train/loss', 0.8);
 * hub.updateInfo('epoch', 3);
 * hub.getScalar('train/loss')?.mean(10); // 0.8
 */
import { HistoryBuffer, type HistoryBufferState } from './history-buffer.js';

/** What `MessageHub.stateDict` returns: every scalar history and the runtime info (plain JSON data). */
export interface MessageHubState {
  log_scalars: Record<string, HistoryBufferState>;
  runtime_info: Record<string, unknown>;
}

/** Logged scalars and runtime info of one run; see the file comment. */
export class MessageHub {
  private readonly scalars = new Map<string, HistoryBuffer>();
  private readonly info = new Map<string, unknown>();

  /** Every logged scalar by key. */
  get logScalars(): ReadonlyMap<string, HistoryBuffer> {
    return this.scalars;
  }

  /** Every runtime info value by key. */
  get runtimeInfo(): ReadonlyMap<string, unknown> {
    return this.info;
  }

  /** Appends `value` (standing for `count` samples) to the history of `key`. */
  updateScalar(key: string, value: number, count = 1): void {
    let buffer = this.scalars.get(key);
    if (!buffer) this.scalars.set(key, (buffer = new HistoryBuffer()));
    buffer.update(value, count);
  }

  /** `updateScalar` for each entry. */
  updateScalars(values: Readonly<Record<string, number>>, count = 1): void {
    for (const key in values) this.updateScalar(key, values[key], count);
  }

  /** The history of `key`, if anything was logged under it. */
  getScalar(key: string): HistoryBuffer | undefined {
    return this.scalars.get(key);
  }

  /** Sets runtime info `key` (latest value wins). */
  updateInfo(key: string, value: unknown): void {
    this.info.set(key, value);
  }

  /** Runtime info `key`, or `fallback` when it was never set. */
  getInfo<T = unknown>(key: string, fallback?: T): T | undefined {
    return this.info.has(key) ? (this.info.get(key) as T) : fallback;
  }

  /** Every scalar history and the runtime info, for checkpoints. Runtime info must be JSON data. */
  stateDict(): MessageHubState {
    return {
      log_scalars: Object.fromEntries([...this.scalars].map(([key, buffer]) => [key, buffer.stateDict()])),
      runtime_info: Object.fromEntries(this.info),
    };
  }

  /** Replaces both stores with a saved state. */
  loadStateDict(state: MessageHubState): void {
    this.scalars.clear();
    this.info.clear();
    for (const [key, saved] of Object.entries(state.log_scalars ?? {})) {
      const buffer = new HistoryBuffer();
      buffer.loadStateDict(saved);
      this.scalars.set(key, buffer);
    }
    for (const [key, value] of Object.entries(state.runtime_info ?? {})) this.info.set(key, value);
  }
}
