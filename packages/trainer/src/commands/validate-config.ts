/** `validate-config` checks a config; `json-schema` writes the schema editors use to complete YAML/JSON configs. */
import { writeFile } from 'node:fs/promises';
import { LOGGER, configJsonSchema, createRunContainer } from '@detlab/core';
import type { CliOptions } from '../args.js';
import { loadRunConfig } from '../load-run-config.js';
import { userPath } from '../workspace.js';
import type { CommandIO } from './io.js';

export async function validateConfigCommand(options: CliOptions, io: CommandIO): Promise<void> {
  const config = await loadRunConfig({ config: options.config, cfgOptions: options.cfgOptions, logger: io.logger });
  // Resolved from a run container made after custom_imports ran, so a plugin's replacement logger is used.
  const run = createRunContainer({ config: config.data, configFile: config.filename });
  run.resolve(LOGGER).info(`Config ${config.filename} is valid.`);
}

export async function jsonSchema(options: CliOptions, io: CommandIO): Promise<void> {
  const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
  if (options.out) {
    await writeFile(userPath(options.out), text);
    io.logger.info(`Wrote the config JSON Schema to ${options.out}`);
  } else {
    io.stdout(text);
  }
}
