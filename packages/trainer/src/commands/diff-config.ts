/** `diff-config`: a unified diff of two resolved configs (`--config` and `--other`). */
import { diffConfigs } from '@detlab/core';
import { ConfigError } from '@detlab/core';
import type { CliOptions } from '../args.js';
import { loadRunConfig } from '../load-run-config.js';
import type { CommandIO } from './io.js';

export async function diffConfig(options: CliOptions, io: CommandIO): Promise<void> {
  if (!options.other) throw new ConfigError('diff-config needs a second config', { hint: 'Pass --other=NAME_OR_PATH.' });
  const [a, b] = await Promise.all(
    [options.config, options.other].map((config) =>
      loadRunConfig({ config, cfgOptions: options.cfgOptions, validate: !options.skipValidation, logger: io.logger }),
    ),
  );
  const diff = diffConfigs(a.data, b.data, { color: io.isTTY, labels: [a.filename, b.filename] });
  io.stdout(diff === '' ? 'The two configs are the same.\n' : diff);
}
