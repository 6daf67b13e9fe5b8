/**
 * Command-line parsing for `detlab <command> [options]` (and `nx run trainer:<command> [options]`).
 *
 * `--cfg-options` takes one or more `key=value` words, as in MMEngine: `--cfg-options a=1 b=2` and repeated
 * flags accumulate.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '@detlab/core';

/** Options every command understands. */
export interface CliOptions {
  command: string;
  config?: string;
  cfgOptions: string[];
  format: 'yaml' | 'json' | 'ts';
  other?: string;
  registry?: string;
  out?: string;
  skipValidation: boolean;
  debug: boolean;
  help: boolean;
}

const FORMATS = ['yaml', 'json', 'ts'] as const;

/** Parses `argv` (without `node` and the script); throws a `ConfigError` with usage hints on bad input. */
export function parseCli(argv: readonly string[]): CliOptions {
  const { values, positionals } = parseArgs({
    args: gatherCfgOptions(argv),
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      'cfg-options': { type: 'string', multiple: true },
      format: { type: 'string', default: 'yaml' },
      other: { type: 'string' },
      registry: { type: 'string' },
      out: { type: 'string' },
      'skip-validation': { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const format = values.format as string;
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new ConfigError(`--format: expected one of ${FORMATS.join(', ')}, got '${format}'`);
  }
  return {
    command: positionals[0] ?? 'help',
    config: values.config,
    cfgOptions: values['cfg-options'] ?? [],
    format: format as CliOptions['format'],
    other: values.other,
    registry: values.registry,
    out: values.out,
    skipValidation: values['skip-validation'] ?? false,
    debug: values.debug ?? false,
    help: values.help ?? false,
  };
}

/** Rewrites `--cfg-options a=1 b=2` into `--cfg-options=a=1 --cfg-options=b=2`, which parseArgs understands. */
function gatherCfgOptions(argv: readonly string[]): string[] {
  const out: string[] = [];
  let gathering = false;
  for (const arg of argv) {
    if (arg === '--cfg-options') {
      gathering = true;
      continue;
    }
    if (gathering && !arg.startsWith('-')) {
      out.push(`--cfg-options=${arg}`);
      continue;
    }
    gathering = false;
    out.push(arg);
  }
  return out;
}
