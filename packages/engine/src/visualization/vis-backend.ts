/**
 * What a visualization backend (VISBACKENDS) does: take scalars by step, and the config once.
 *
 * Backends are built from `vis_backends` with `save_dir` (the run folder) filled in, as MMEngine builds them.
 * Methods may be async; `Visualizer` awaits them, and turns a backend's failure into one warning so that
 * logging never stops training.
 *
 * @example
 * vis_backends: [{ type: 'LocalVisBackend' }, { type: 'WandbVisBackend', init_kwargs: { project: 'detlab' } }]
 */

/** A visualization backend; see the file comment. */
export interface VisBackend {
  /** Records the run's resolved config (`text` is its JSON dump). */
  addConfig?(config: Record<string, unknown>, text: string): void | Promise<void>;
  /** Records `scalars` at `step` (train iteration, or epoch for per-epoch val metrics). */
  addScalars(scalars: Record<string, number>, step: number): void | Promise<void>;
  /** Flushes and releases the backend at the end of the run. */
  close?(): void | Promise<void>;
}

/** Options every backend is built with. */
export interface VisBackendOptions {
  /** The run folder. */
  save_dir: string;
}
