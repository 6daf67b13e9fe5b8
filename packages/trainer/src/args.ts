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
  /** wandb-sync: an offline W&B run folder, or a folder holding some. */
  run?: string;
  /** train/test: the work dir root, instead of the config's `work_dir` or work_dirs/<config name>. */
  workDir?: string;
  /** train: continue from the newest checkpoint of the work dir (true) or from this file. */
  resume?: boolean | string;
  /** train/test: the TF.js backend, instead of the config's `env_cfg.backend`. */
  backend?: string;
  /** test: the checkpoint whose weights are evaluated. */
  checkpoint?: string;
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
      run: { type: 'string' },
      'work-dir': { type: 'string' },
      resume: { type: 'string' },
      backend: { type: 'string' },
      checkpoint: { type: 'string' },
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
    run: values.run,
    workDir: values['work-dir'],
    // `--resume` alone continues from the newest checkpoint; `--resume=FILE` from that file.
    resume: values.resume === undefined ? undefined : values.resume === '' || values.resume === 'true' ? true : values.resume,
    backend: values.backend,
    checkpoint: values.checkpoint,
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
    if (arg === '--resume') {
      // A bare `--resume` means "the newest checkpoint"; parseArgs needs a value for a string option.
      gathering = false;
      out.push('--resume=true');
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
