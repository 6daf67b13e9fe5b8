/**
 * `LocalVisBackend`: scalars as JSON lines in the run folder, as MMEngine's (`vis_data/scalars.json` there).
 *
 * Each `addScalars` appends one line `{"lr": 0.01, "loss": 0.53, ..., "step": 50}` to `scalars.jsonl`, which
 * `jq` or pandas read directly. The runner already dumps the config into the run folder; set
 * `config_save_file` to write another copy here.
 *
 * @example
 * vis_backends: [{ type: 'LocalVisBackend' }]
 */
import { VISBACKENDS } from '@detlab/core';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { VisBackend } from './vis-backend.js';

/** Options of `LocalVisBackend`. */
export const localVisBackendSchema = z.strictObject({
  /** The folder to write in; the runner sets it to the run folder. */
  save_dir: z.string(),
  /** File name of the scalar log. */
  scalar_save_file: z.string().default('scalars.jsonl'),
  /** File name for a copy of the config; none by default. */
  config_save_file: z.string().nullable().default(null),
});

/** Options of `LocalVisBackend`, as configs write them (`save_dir` comes from the runner). */
export type LocalVisBackendOptions = z.input<typeof localVisBackendSchema>;

/** Scalars to JSON lines; see the file comment. */
@VISBACKENDS.register({
  name: 'LocalVisBackend',
  schema: localVisBackendSchema.partial({ save_dir: true }),
  description: 'Writes scalars as JSON lines in the run folder (MMEngine LocalVisBackend).',
})
export class LocalVisBackend implements VisBackend {
  readonly options: z.output<typeof localVisBackendSchema>;
  private folderMade = false;

  constructor(options: LocalVisBackendOptions) {
    this.options = localVisBackendSchema.parse(options);
  }

  /** The path of the scalar log. */
  get scalarFile(): string {
    return join(this.options.save_dir, this.options.scalar_save_file);
  }

  /** Writes `text` to `config_save_file` when one is set. */
  async addConfig(_config: Record<string, unknown>, text: string): Promise<void> {
    if (this.options.config_save_file === null) return;
    await this.ensureFolder();
    await writeFile(join(this.options.save_dir, this.options.config_save_file), text);
  }

  /** Appends `{...scalars, step}` as one line. */
  async addScalars(scalars: Record<string, number>, step: number): Promise<void> {
    await this.ensureFolder();
    await appendFile(this.scalarFile, `${JSON.stringify({ ...scalars, step })}\n`);
  }

  private async ensureFolder(): Promise<void> {
    if (this.folderMade) return;
    await mkdir(this.options.save_dir, { recursive: true });
    this.folderMade = true;
  }
}
