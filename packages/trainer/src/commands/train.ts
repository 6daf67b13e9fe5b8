/**
 * `train`: builds the Runner of a config from the registries and trains it.
 *
 * @example
 * nx run trainer:train --config=atss_r18_tiny_mnistdet --cfg-options train_cfg.max_epochs=1 [--work-dir D] [--resume] [--backend wasm]
 */
import { Runner } from '@detlab/engine';
import type { CliOptions } from '../args.js';
import { loadRunConfig } from '../load-run-config.js';
import { userPath } from '../workspace.js';
import type { CommandIO } from './io.js';
import { runServices } from './run-services.js';

/** Loads, validates and trains the config named by `--config`. */
export async function trainCommand(options: CliOptions, io: CommandIO): Promise<void> {
  const runner = await buildRunner(options, io);
  await runner.train();
}

/** The Runner of `--config` with the command line's overrides (`--backend`, `--work-dir`, `--resume`). */
export async function buildRunner(options: CliOptions, io: CommandIO, extra: { loadFrom?: string } = {}): Promise<Runner> {
  const cfgOptions = [...options.cfgOptions];
  if (options.backend) cfgOptions.push(`env_cfg.backend=${options.backend}`);
  const config = await loadRunConfig({ config: options.config, cfgOptions, logger: io.logger });
  const imports = ((config.data.custom_imports as { imports?: string[] } | undefined)?.imports ?? []).map(String);
  return Runner.fromConfig(config, {
    workDir: options.workDir ? userPath(options.workDir) : undefined,
    resume: typeof options.resume === 'string' ? userPath(options.resume) : options.resume,
    loadFrom: extra.loadFrom,
    services: runServices(imports),
  });
}
