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
  /** test/predict: the checkpoint whose weights are evaluated. */
  checkpoint?: string;
  /** sweep: the sweep file (W&B format, YAML/JSON/TS). */
  sweep?: string;
  /** sweep: the sweep folder (default work_dirs/<config>/sweeps/<sweep name>). */
  sweepDir?: string;
  /** sweep: the number of trials the sweep should have in all. */
  count?: number;
  /** sweep: trials run at once, one child process each. */
  agents?: number;
  /** sweep: seeds the search method. */
  seed?: number;
  /** analyze-logs: the scalar keys to plot (comma-separated words, gathered). */
  keys: string[];
  /** analyze-logs: more runs to overlay on `--run`. */
  compare: string[];
  /** browse-dataset: how many samples to draw. */
  n?: string;
  /** predict: a folder of images (or one image). */
  images?: string;
  /** model-summary: `H` or `H,W` (also `HxW`) of the input image. */
  inputSize?: string;
  /** model-summary: how deep the module table goes. */
  depth?: string;
  /** predict: draw detections with at least this score. */
  scoreThr?: string;
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
      sweep: { type: 'string' },
      'sweep-dir': { type: 'string' },
      count: { type: 'string' },
      agents: { type: 'string' },
      seed: { type: 'string' },
      keys: { type: 'string', multiple: true },
      compare: { type: 'string', multiple: true },
      n: { type: 'string' },
      images: { type: 'string' },
      'input-size': { type: 'string' },
      depth: { type: 'string' },
      'score-thr': { type: 'string' },
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
    sweep: values.sweep,
    sweepDir: values['sweep-dir'],
    count: positiveInt('--count', values.count),
    agents: positiveInt('--agents', values.agents),
    seed: values.seed === undefined ? undefined : nonNegativeInt('--seed', values.seed),
    keys: splitList(values.keys),
    compare: splitList(values.compare),
    n: values.n,
    images: values.images,
    inputSize: values['input-size'],
    depth: values.depth,
    scoreThr: values['score-thr'],
    skipValidation: values['skip-validation'] ?? false,
    debug: values.debug ?? false,
    help: values.help ?? false,
  };
}

/** Options that, like `--cfg-options`, take the words after them: `--compare runA runB`. */
const LIST_OPTIONS = ['--compare', '--keys'];

/** `['a,b', 'c']` → `['a', 'b', 'c']`: list options accept commas and repetition alike. */
function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/**
 * Rewrites `--cfg-options a=1 b=2` into `--cfg-options=a=1 --cfg-options=b=2`, which parseArgs understands;
 * likewise the words after `--compare` and `--keys`.
 */
function gatherCfgOptions(argv: readonly string[]): string[] {
  const out: string[] = [];
  let gathering: string | false = false;
  for (const arg of argv) {
    if (arg === '--cfg-options' || LIST_OPTIONS.includes(arg)) {
      gathering = LIST_OPTIONS.includes(arg) ? arg : '--cfg-options';
      continue;
    }
    if (arg === '--resume') {
      // A bare `--resume` means "the newest checkpoint"; parseArgs needs a value for a string option.
      gathering = false;
      out.push('--resume=true');
      continue;
    }
    if (gathering && !arg.startsWith('-')) {
      out.push(`${gathering}=${arg}`);
      continue;
    }
    gathering = false;
    out.push(arg);
  }
  return out;
}

/** `--name N` as a positive integer (sweep's --count, --agents), or undefined when absent. */
function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${name}: expected a positive integer, got '${text}'`);
  return n;
}

/** `--name N` as a non-negative integer (sweep's --seed). */
function nonNegativeInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name}: expected a non-negative integer, got '${text}'`);
  return n;
}
