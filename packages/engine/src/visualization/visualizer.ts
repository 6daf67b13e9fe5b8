/**
 * `Visualizer`: hands scalars, images and the config to every vis backend of a run (MMEngine's `Visualizer`;
 * drawing itself lives in `draw-detections.ts`).
 *
 * Writes are queued, not awaited by the caller: a log line every 50 iterations must not make training wait
 * for a disk or a network round trip (an append costs milliseconds of latency on a busy disk). The queue keeps
 * the order; `flush()` waits for it, and `close()` flushes and closes every backend. A backend that throws (a
 * server down, a full disk) is reported once, as a warning, and skipped from then on: losing a chart must never
 * cost a training run.
 *
 * @example
 * const visualizer = buildVisualizer(cfg.vis_backends, runDir, logger);
 * visualizer.addScalars({ loss: 0.53, lr: 0.01 }, 50);
 * await visualizer.close();
 */
import { ConfigError, VISBACKENDS, describeValue, joinConfigPath, type Logger } from '@detlab/core';
import type { VisBackend } from './vis-backend.js';

/** The run's vis backends behind one object; see the file comment. */
export class Visualizer {
  private readonly failed = new Set<VisBackend>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly backends: readonly VisBackend[],
    private readonly logger: Logger,
  ) {}

  /** Queues the config for every backend. */
  addConfig(config: Record<string, unknown>, text: string): void {
    this.enqueue('addConfig', (b) => b.addConfig?.(config, text));
  }

  /** Queues `scalars` at `step` for every backend. */
  addScalars(scalars: Record<string, number>, step: number): void {
    this.enqueue('addScalars', (b) => b.addScalars(scalars, step));
  }

  /** Queues a PNG image `name` at `step` for every backend that takes images (`addImage`). */
  addImage(name: string, png: Uint8Array, step: number): void {
    this.enqueue('addImage', (b) => b.addImage?.(name, png, step));
  }

  /** Resolves once everything queued so far is written. Never rejects. */
  flush(): Promise<void> {
    return this.queue;
  }

  /** Flushes, then closes every backend. Never rejects. */
  async close(): Promise<void> {
    this.enqueue('close', (b) => b.close?.());
    await this.queue;
  }

  private enqueue(what: string, call: (backend: VisBackend) => void | Promise<void>): void {
    this.queue = this.queue.then(async () => {
      for (const backend of this.backends) {
        if (this.failed.has(backend)) continue;
        try {
          await call(backend);
        } catch (error) {
          this.failed.add(backend);
          this.logger.warn(
            `[${backend.constructor.name}] ${what} failed, so it is skipped for the rest of the run: ${(error as Error)?.message ?? String(error)}`,
          );
        }
      }
    });
  }
}

/** Builds each of `cfgs` (the config's `vis_backends`) from VISBACKENDS with `save_dir: saveDir`. */
export function buildVisualizer(cfgs: unknown, saveDir: string, logger: Logger): Visualizer {
  const list = cfgs ?? [];
  if (!Array.isArray(list)) {
    throw new ConfigError(`vis_backends: expected a list of backends, got ${describeValue(list)}`, { configPath: 'vis_backends' });
  }
  const backends = list.map((cfg, i) => {
    const path = joinConfigPath('vis_backends', i);
    const backend = typeof cfg?.addScalars === 'function' ? (cfg as VisBackend) : VISBACKENDS.build<VisBackend>(cfg, { path, defaults: { save_dir: saveDir } });
    if (typeof backend?.addScalars !== 'function') {
      throw new ConfigError(`${path}: expected a vis backend with addScalars(scalars, step), got ${describeValue(backend)}`, { configPath: path });
    }
    return backend;
  });
  return new Visualizer(backends, logger);
}
