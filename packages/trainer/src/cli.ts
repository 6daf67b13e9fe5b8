/**
 * The detlab command line. `main` parses arguments, runs one command and turns mistakes into one clear
 * message and a non-zero exit code; stack traces only with `--debug`.
 */
import { DetlabError, LOGGER, createRunContainer } from '@detlab/core';
import { parseCli, type CliOptions } from './args.js';
import { diffConfig } from './commands/diff-config.js';
import type { CommandIO } from './commands/io.js';
import { describeModule, listModules } from './commands/list-modules.js';
import { printConfig } from './commands/print-config.js';
import { jsonSchema, validateConfigCommand } from './commands/validate-config.js';
import { testCommand } from './commands/test.js';
import { trainCommand } from './commands/train.js';
import { wandbSync } from './commands/wandb-sync.js';
import { sweepAgentCommand, sweepCommand } from './commands/sweep.js';
import { analyzeLogs } from './commands/analyze-logs.js';
import { browseDataset } from './commands/browse-dataset.js';
import { modelSummary } from './commands/model-summary.js';
import { predictCommand } from './commands/predict.js';
import './register-all.js';

/** Exit code of a user mistake (bad config, missing file, unknown type). */
export const EXIT_USER_ERROR = 1;
/** Exit code of a bug in detlab or a plugin. */
export const EXIT_INTERNAL_ERROR = 70;

export const USAGE = `Usage: detlab <command> [options]
       nx run trainer:<command> [options]

Commands:
  train            Train a config (--config, --cfg-options, --work-dir DIR, --resume [FILE], --backend B)
  test             Evaluate a checkpoint on the test set (--config, --checkpoint FILE, --backend B)
  print-config     Print the resolved config (--config, --cfg-options, --format yaml|json|ts, --out FILE)
  diff-config      Diff two resolved configs (--config A --other B)
  validate-config  Check a config against the registered modules' schemas (--config)
  list-modules     List every registry's modules with their package (--registry NAME)
  describe-module  Describe one module and its options: describe-module NAME [--registry NAME]
  json-schema      Write the JSON Schema of configs, for editor completion (--out FILE)
  wandb-sync       Upload offline W&B runs (WANDB_MODE=offline) to WANDB_BASE_URL (--run DIR)
  sweep            Run a W&B-format sweep: --config, --sweep FILE, --count N (trials in all), --agents N, --sweep-dir DIR, --seed S
  analyze-logs     Plot losses, lr and metrics as PNG+SVG (--run DIR, --keys K,..., --compare DIR ..., --out FILE.png)
  browse-dataset   Draw the training pipeline's outputs with their boxes into one PNG (--config, --n 16, --out FILE)
  model-summary    Parameters and MACs per module, student and teacher for KD (--config, --input-size H[,W], --depth 2)
  predict          Draw a checkpoint's detections on images, plus COCO results JSON (--config, --checkpoint, --images DIR, --out DIR)

Options:
  -c, --config NAME|PATH   a config under configs/ (atss_kd) or a file path
  --cfg-options K=V ...    override config values (a.b.0.c=1), as MMEngine
  --skip-validation        print-config/diff-config: do not validate
  --debug                  show stack traces
`;

type Command = (options: CliOptions, io: CommandIO, positionals: string[]) => Promise<void> | void;

const COMMANDS: Record<string, Command> = {
  train: trainCommand,
  test: testCommand,
  'print-config': printConfig,
  'diff-config': diffConfig,
  'validate-config': validateConfigCommand,
  'list-modules': listModules,
  'describe-module': (options, io, positionals) => describeModule(options, positionals[1], io),
  'json-schema': jsonSchema,
  'wandb-sync': wandbSync,
  sweep: sweepCommand,
  // Hidden: one agent of `sweep --agents N`, started by the sweep command.
  'sweep-agent': sweepAgentCommand,
  'analyze-logs': async (options, io) => void (await analyzeLogs(options, io)),
  'browse-dataset': async (options, io) => void (await browseDataset(options, io)),
  'model-summary': async (options, io) => void (await modelSummary(options, io)),
  predict: async (options, io) => void (await predictCommand(options, io)),
};

/** Runs the command line `argv` (without `node` and script); resolves to the exit code. */
export async function main(argv: readonly string[], io?: Partial<CommandIO>): Promise<number> {
  const debug = argv.includes('--debug');
  const container = createRunContainer({ config: {} });
  const commandIO: CommandIO = {
    stdout: io?.stdout ?? ((text) => process.stdout.write(text)),
    logger: io?.logger ?? container.resolve(LOGGER),
    isTTY: io?.isTTY ?? Boolean(process.stdout.isTTY),
  };
  try {
    const options = parseCli(argv);
    if (options.help || options.command === 'help') {
      commandIO.stdout(USAGE);
      return 0;
    }
    const command = COMMANDS[options.command];
    if (!command) {
      throw new DetlabError(`Unknown command '${options.command}'`, { hint: `Commands: ${Object.keys(COMMANDS).join(', ')}.` });
    }
    await command(options, commandIO, argv.filter((a) => !a.startsWith('-')));
    return 0;
  } catch (error) {
    return report(error, debug, commandIO);
  }
}

function report(error: unknown, debug: boolean, io: CommandIO): number {
  const userMistake = error instanceof DetlabError || isParseArgsError(error);
  const message = error instanceof Error ? error.message : String(error);
  io.logger.error(userMistake ? message : `Internal error: ${message} (run with --debug for the stack trace)`);
  if (debug) {
    for (let e: unknown = error; e instanceof Error; e = e.cause) process.stderr.write(`${e.stack ?? e.message}\n`);
  }
  if (isParseArgsError(error)) io.stdout(USAGE);
  // An interrupted run (SIGINT/SIGTERM) carries 128 + the signal number, as shells expect.
  const signalled = typeof error === 'object' && error !== null ? (error as { exitCode?: unknown }).exitCode : undefined;
  if (typeof signalled === 'number') return signalled;
  return userMistake ? EXIT_USER_ERROR : EXIT_INTERNAL_ERROR;
}

function isParseArgsError(error: unknown): boolean {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
