/**
 * What a visualization backend (VISBACKENDS) does: take scalars by step, and the config once; optionally
 * images (PNG) by name and step, as MMEngine's `add_image`.
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
  /**
   * Records a PNG image under `name` at `step` (a drawn val image of `DetVisualizationHook`). Optional: a
   * backend without it gets no images. `LocalVisBackend` has none because the hook already writes its PNGs
   * into the run folder; `WandbVisBackend` has none because @wandb/sdk 0.5.1 cannot upload media.
   */
  addImage?(name: string, png: Uint8Array, step: number): void | Promise<void>;
  /** Flushes and releases the backend at the end of the run. */
  close?(): void | Promise<void>;
}

/** Options every backend is built with. */
export interface VisBackendOptions {
  /** The run folder. */
  save_dir: string;
}
