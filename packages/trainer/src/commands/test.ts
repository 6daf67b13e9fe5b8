/**
 * `test`: evaluates a checkpoint on the config's `test_dataloader` with its `test_evaluator`.
 *
 * @example
 * nx run trainer:test --config=atss_r18_tiny_mnistdet --checkpoint=work_dirs/atss_r18_tiny_mnistdet/<run>/epoch_12.safetensors
 */
import { DetlabError } from '@detlab/core';
import type { CliOptions } from '../args.js';
import { userPath } from '../workspace.js';
import type { CommandIO } from './io.js';
import { buildRunner } from './train.js';

/** Loads `--checkpoint` into the model of `--config` and runs the test loop; logs the metrics. */
export async function testCommand(options: CliOptions, io: CommandIO): Promise<void> {
  if (!options.checkpoint) {
    throw new DetlabError('test needs the weights to evaluate', { hint: 'Pass --checkpoint=FILE (a .safetensors checkpoint of a training run).' });
  }
  const runner = await buildRunner(options, io, { loadFrom: userPath(options.checkpoint) });
  const metrics = await runner.test();
  io.stdout(`${JSON.stringify(metrics, null, 2)}\n`);
}
