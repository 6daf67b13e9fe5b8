/**
 * `sweep`: a W&B-format hyperparameter sweep of a config, run locally (docs/sweeps.md).
 *
 * Each trial is a full training run: its parameters as cfg-options (`lr` and `weight_decay` are the
 * optimizer's, any other name a dotted config path), `SweepTrialHook` added as `default_hooks.sweep` (it
 * records the sweep metric and applies hyperband), its own work dir root `<sweep dir>/runs/<trial>/` holding the
 * run folder `<timestamp>_<id>`, and, when the config logs to W&B, its own W&B run `<config>_<id>` in the
 * sweep's project (ATSS by default) with the parameters in its config.
 *
 * `--count N` is the number of trials the sweep should have in all: running the same command again after a
 * crash or Ctrl-C resumes the interrupted trial from its checkpoint and runs the rest; a larger `--count` adds
 * trials. `--agents N` runs N trials at once, each agent a child process (`sweep-agent`) sharing the folder.
 * At the end: a table of the trials on stdout and `results.md`, `results.csv`, `metric_vs_params.png` in the
 * sweep folder.
 *
 * @example
 * nx run trainer:sweep --config=atss_kd --sweep=configs/sweeps/atss_kd.yaml --count=2
 */
import { ConfigError, DetlabError, isPlainObject } from '@detlab/core';
import { configNameOf } from '@detlab/engine';
import { Module } from '@detlab/tensor';
import {
  SweepStore,
  configPathOf,
  formatCfgValue,
  loadSweepConfig,
  paramsToCfgOptions,
  runAgent,
  writeSweepResults,
  type SweepConfig,
  type SweepMeta,
  type TrialRecord,
} from '@detlab/wandb';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliOptions } from '../args.js';
import { loadRunConfig } from '../load-run-config.js';
import { userPath } from '../workspace.js';
import type { CommandIO } from './io.js';
import { buildRunner, trainTeacherFirst } from './train.js';

/** The W&B project trials go to when neither the sweep file nor the config names one (kd-setup.md). */
export const DEFAULT_SWEEP_PROJECT = 'ATSS';

/** Runs the sweep (see the file comment), then writes and prints its results. */
export async function sweepCommand(options: CliOptions, io: CommandIO): Promise<void> {
  const plan = await prepareSweep(options, io);
  // A distillation config's missing teacher trains once, here, before any agent starts (agents would race for it).
  await trainTeacherFirst(await loadRunConfig({ config: options.config, cfgOptions: options.cfgOptions, logger: io.logger }), options, io);
  const agents = options.agents ?? 1;
  io.logger.info(`[sweep] ${plan.store.dir}: method ${plan.sweep.method}, ${describeTarget(plan)}, ${agents} agent${agents === 1 ? '' : 's'}`);
  if (agents === 1) {
    await runAgent({ store: plan.store, sweep: plan.sweep, maxTrials: plan.maxTrials, seed: options.seed, logger: io.logger, runTrial: (trial, ctx) => trainTrial(plan, trial, ctx.resume, options, io) });
  } else {
    await runChildAgents(plan, options, agents, io);
  }
  const { table, files } = await writeSweepResults(plan.store, plan.sweep);
  io.stdout(`\nSweep ${plan.sweep.name ?? basename(plan.store.dir)} (${plan.store.dir})\n${table}\n`);
  io.logger.info(`[sweep] results: ${files.join(', ')}`);
}

/** `sweep-agent` (hidden; `sweep --agents N` starts N of them): one agent on the sweep folder, no results. */
export async function sweepAgentCommand(options: CliOptions, io: CommandIO): Promise<void> {
  const plan = await prepareSweep(options, io);
  const seed = options.seed === undefined ? undefined : options.seed + process.pid;
  await runAgent({ store: plan.store, sweep: plan.sweep, maxTrials: plan.maxTrials, seed, logger: io.logger, runTrial: (trial, ctx) => trainTrial(plan, trial, ctx.resume, options, io) });
}

/** What every trial of one sweep shares. */
interface SweepPlan {
  store: SweepStore;
  sweep: SweepConfig;
  sweepFile: string;
  configName: string;
  maxTrials?: number;
  /** cfg-options naming the trial's W&B run; empty when the config does not log to W&B. */
  wandb?: { index: number; project: string };
}

async function prepareSweep(options: CliOptions, io: CommandIO): Promise<SweepPlan> {
  if (!options.sweep) {
    throw new ConfigError('sweep: no sweep file given', { hint: 'Pass --sweep=FILE, a W&B sweep config in YAML, JSON or TS (e.g. configs/sweeps/atss_kd.yaml).' });
  }
  const sweepFile = userPath(options.sweep);
  if (!existsSync(sweepFile)) throw new ConfigError(`Sweep file not found: ${sweepFile}`, { file: sweepFile, hint: 'Check the --sweep path (relative paths start at the workspace root).' });
  const sweep = await loadSweepConfig(sweepFile);
  if (options.count === undefined && sweep.run_cap === undefined && sweep.method !== 'grid') {
    throw new ConfigError(`sweep: method ${sweep.method} never runs out of trials, so the sweep needs a size`, { file: sweepFile, hint: 'Pass --count=N (trials in all), or set run_cap in the sweep file.' });
  }
  const config = await loadRunConfig({ config: options.config, cfgOptions: options.cfgOptions, logger: io.logger });
  checkParamPaths(sweep, sweepFile, config.data, config.filename);
  const configName = configNameOf(config.filename);
  const dir = options.sweepDir
    ? userPath(options.sweepDir)
    : join(options.workDir ? userPath(options.workDir) : userPath(typeof config.data.work_dir === 'string' ? config.data.work_dir : join('work_dirs', configName)), 'sweeps', sweep.name ?? basename(sweepFile, extname(sweepFile)));
  const store = new SweepStore(dir);
  const meta: SweepMeta = { format: 'detlab-sweep/1', config: configName, sweep_file: sweepFile, created_at: new Date().toISOString(), sweep };
  await store.init(meta);
  const backends = Array.isArray(config.data.vis_backends) ? (config.data.vis_backends as unknown[]) : [];
  const index = backends.findIndex((b) => isPlainObject(b) && typeof b.type === 'string' && /(^|\.)WandbVisBackend$/.test(b.type));
  const configured = index >= 0 ? ((backends[index] as { init_kwargs?: { project?: string } }).init_kwargs?.project ?? undefined) : undefined;
  return {
    store,
    sweep,
    sweepFile,
    configName,
    maxTrials: options.count,
    wandb: index >= 0 ? { index, project: sweep.project ?? configured ?? DEFAULT_SWEEP_PROJECT } : undefined,
  };
}

/** Trains one trial with `buildRunner` (train.ts); resolves `stopped` when hyperband ended it. */
async function trainTrial(plan: SweepPlan, trial: TrialRecord, resume: boolean, options: CliOptions, io: CommandIO): Promise<{ stopped: boolean }> {
  const cfgOptions = [...options.cfgOptions, ...trialCfgOptions(plan, trial)];
  const runner = await buildRunner({ ...options, cfgOptions, workDir: plan.store.runsDir(trial.name), resume: resume ? true : undefined }, io);
  try {
    await runner.train();
  } finally {
    // Trials share the process: free this one's weights before the next trial builds its model.
    if (runner.model instanceof Module) runner.model.dispose();
  }
  const record = await plan.store.readTrial(trial.name);
  return { stopped: record.stop_reason !== undefined };
}

/** The cfg-options of one trial: its parameters, the sweep hook and the W&B run name, project and config. */
export function trialCfgOptions(plan: Pick<SweepPlan, 'store' | 'configName' | 'wandb'>, trial: Pick<TrialRecord, 'name' | 'params'>): string[] {
  const words = [
    ...paramsToCfgOptions(trial.params),
    'default_hooks.sweep.type=SweepTrialHook',
    `default_hooks.sweep.sweep_dir=${plan.store.dir}`,
    `default_hooks.sweep.trial=${trial.name}`,
  ];
  if (plan.wandb) {
    const kwargs = `vis_backends.${plan.wandb.index}.init_kwargs`;
    // `{run_id}` becomes the run folder's 5-character id (WandbVisBackend's expandRunName).
    words.push(`${kwargs}.name=${plan.configName}_{run_id}`, `${kwargs}.project=${plan.wandb.project}`, `${kwargs}.config.sweep_trial=${trial.name}`);
    // Bare names (lr, weight_decay) appear in the W&B config under their sweep names, as a W&B sweep shows them;
    // dotted ones are already there under that path, in the full config.
    for (const [name, value] of Object.entries(trial.params)) if (!name.includes('.')) words.push(`${kwargs}.config.${name}=${formatCfgValue(value)}`);
  }
  return words;
}

/** Every parameter must name a config value that exists, or at least a parent that does. */
function checkParamPaths(sweep: SweepConfig, sweepFile: string, data: Record<string, unknown>, configFile: string): void {
  for (const name of Object.keys(sweep.parameters)) {
    const path = configPathOf(name).split('.');
    let node: unknown = data;
    for (const [i, key] of path.entries()) {
      const isLast = i === path.length - 1;
      const container = node as Record<string, unknown> | unknown[] | null;
      const exists = container !== null && typeof container === 'object' && key in container;
      if (!exists) {
        if (isLast && container !== null && typeof container === 'object') break; // a new key under an existing section
        throw new ConfigError(`parameters.${name}: the config has no '${path.slice(0, i + 1).join('.')}' (config path ${configPathOf(name)}) in ${configFile}`, {
          file: sweepFile,
          configPath: `parameters.${name}`,
          hint: 'A bare lr or weight_decay means the optimizer\'s; any other name is a dotted config path (model.bbox_head.loss_cls.gamma). Check it with nx run trainer:print-config.',
        });
      }
      node = (container as Record<string, unknown>)[key];
    }
  }
}

/** Starts `agents` child processes running `sweep-agent` on the same folder; waits for all of them. */
async function runChildAgents(plan: SweepPlan, options: CliOptions, agents: number, io: CommandIO): Promise<void> {
  const bin = fileURLToPath(new URL('../bin.js', import.meta.url));
  if (!existsSync(bin)) throw new DetlabError(`sweep --agents needs the built trainer (${bin})`, { hint: 'Run npx nx run-many -t build, or use --agents=1.' });
  const args = ['sweep-agent', `--config=${options.config}`, `--sweep=${plan.sweepFile}`, `--sweep-dir=${plan.store.dir}`];
  if (options.count !== undefined) args.push(`--count=${options.count}`);
  if (options.backend) args.push(`--backend=${options.backend}`);
  if (options.seed !== undefined) args.push(`--seed=${options.seed}`);
  if (options.debug) args.push('--debug');
  for (const word of options.cfgOptions) args.push(`--cfg-options=${word}`);
  const children = Array.from({ length: agents }, (_, i) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DETLAB_SWEEP_AGENT: String(i + 1) } });
    return new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  });
  // Ctrl-C reaches the children through the process group: each marks its trial interrupted and exits. This
  // process waits for them instead of dying first.
  let signal: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals): void => {
    signal = s;
    io.logger.warn(`[sweep] ${s}: waiting for the agents to stop their trials (they save checkpoints); run the same command again to resume.`);
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const codes = await Promise.all(children).finally(() => process.off('SIGINT', onSignal).off('SIGTERM', onSignal));
  if (signal) throw Object.assign(new DetlabError(`sweep interrupted by ${signal}`, { hint: 'Run the same command again to resume it.' }), { exitCode: signal === 'SIGINT' ? 130 : 143 });
  const failed = codes.filter((c) => c !== 0);
  if (failed.length) {
    io.logger.warn(`[sweep] ${failed.length} of ${agents} agents exited with errors (codes ${failed.join(', ')}); see their messages above.`);
    if (failed.length === agents) throw new DetlabError(`sweep: every agent failed (exit codes ${codes.join(', ')})`, { hint: `The trial records in ${plan.store.trialsDir} say what went wrong; run the same command again to resume.` });
  }
}

function describeTarget(plan: SweepPlan): string {
  const caps = [plan.maxTrials !== undefined ? `${plan.maxTrials} trials (--count)` : undefined, plan.sweep.run_cap !== undefined ? `run_cap ${plan.sweep.run_cap}` : undefined].filter(Boolean);
  return caps.length ? caps.join(', ') : 'until the grid is exhausted';
}
