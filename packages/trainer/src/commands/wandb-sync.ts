/**
 * `wandb-sync`: uploads offline W&B runs to the server in `WANDB_BASE_URL` with `WANDB_API_KEY`.
 *
 * `--run` is an offline run folder (`<run folder>/wandb/offline-run-*`), a training run folder, or its
 * `wandb/` folder; every offline run found there is uploaded, oldest first. Relative paths are taken from
 * the working directory (the workspace root under nx).
 *
 * @example
 * WANDB_API_KEY=... nx run trainer:wandb-sync --run=work_dirs/atss_r18_mnistdet/2026-01-02_03-04-05_ab12c
 */
import { DetlabError } from '@detlab/core';
import { findOfflineRuns, syncOfflineRun } from '@detlab/wandb';
import type { CliOptions } from '../args.js';
import { userPath } from '../workspace.js';
import type { CommandIO } from './io.js';

/** Uploads the offline runs at `--run`; see the file comment. */
export async function wandbSync(options: CliOptions, io: CommandIO): Promise<void> {
  if (!options.run) {
    throw new DetlabError('wandb-sync needs the folder to upload', {
      hint: 'Pass --run=DIR: an offline run folder (<run folder>/wandb/offline-run-...) or the training run folder holding it.',
    });
  }
  for (const dir of findOfflineRuns(userPath(options.run))) {
    io.logger.info(`Uploading ${dir} ...`);
    const result = await syncOfflineRun(dir);
    io.logger.info(`Uploaded ${result.rows} history rows of run ${result.id}: ${result.url}`);
  }
}
