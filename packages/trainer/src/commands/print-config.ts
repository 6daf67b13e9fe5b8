/** `print-config`: the resolved config of any config name or path, cfg-options applied, as YAML, JSON or TS. */
import { writeFile } from 'node:fs/promises';
import { dumpConfig } from '@detlab/core';
import type { CliOptions } from '../args.js';
import { loadRunConfig } from '../load-run-config.js';
import { userPath } from '../workspace.js';
import type { CommandIO } from './io.js';

export async function printConfig(options: CliOptions, io: CommandIO): Promise<void> {
  const config = await loadRunConfig({
    config: options.config,
    cfgOptions: options.cfgOptions,
    validate: !options.skipValidation,
    logger: io.logger,
  });
  const text = dumpConfig(config.data, options.format);
  if (options.out) {
    await writeFile(userPath(options.out), text);
    io.logger.info(`Wrote the resolved config of ${config.filename} to ${options.out}`);
  } else {
    io.stdout(text);
  }
}
