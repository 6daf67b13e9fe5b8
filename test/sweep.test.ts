/**
 * `detlab sweep` end to end, as users run it: the built CLI in a child process training atss_kd (the default
 * sweep; its teacher first) or atss_r18_tiny_mnistdet on MNIST-Det, cut to one epoch of 16 images (validation on
 * 8) per trial, on the wasm backend.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const bin = join(root, 'packages/trainer/dist/bin.js');
const SHORT = [
  '--backend=wasm',
  '--cfg-options',
  'train_dataloader.dataset.indices=16',
  'val_dataloader.dataset.indices=8',
  'train_cfg.max_epochs=1',
  'train_dataloader.num_workers=0',
  'val_dataloader.num_workers=0',
  'default_hooks.visualization.draw=false',
];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function detlab(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function trials(dir: string): Promise<Array<Record<string, any>>> {
  const names = (await readdir(join(dir, 'trials'))).filter((n) => n.endsWith('.json')).sort();
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(dir, 'trials', n), 'utf8'))));
}

describe('detlab sweep', () => {
  it('runs the default sweep for 2 trials of atss_kd on a short schedule, each with its own work dir and parameters', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'detlab-sweep-')), 'atss_kd');
    // The default sweep on the main job's config: atss_kd's teacher is missing, so it trains once (same short schedule) first.
    const teacher = join(dirname(dir), 'teacher', 'teacher.safetensors');
    const sweep = ['sweep', '--config=atss_kd', '--sweep=configs/sweeps/atss_kd.yaml', `--sweep-dir=${dir}`, '--seed=3'];
    const first = await detlab([...sweep, '--count=2', ...SHORT, `model.teacher_ckpt=${teacher}`]);
    expect(first.stderr + first.stdout).not.toMatch(/ERROR/);
    expect(first.code).toBe(0);
    expect(first.stderr + first.stdout).toMatch(/training the teacher first/);
    expect(existsSync(teacher)).toBe(true);
    expect(first.stdout).toMatch(/\| trial \| lr \| weight_decay \| best val\/bbox_mAP_50 \| logged \| state \|/);
    let records = await trials(dir);
    expect(records.map((t) => [t.name, t.state, t.history.length])).toEqual([['trial-001', 'finished', 1], ['trial-002', 'finished', 1]]);
    for (const t of records) {
      expect(t.params.lr).toBeGreaterThanOrEqual(0.0001);
      expect(t.params.lr).toBeLessThanOrEqual(0.003);
      // Its own work dir <timestamp>_<id>, with its parameters applied and the sweep hook added.
      expect(basename(t.run_dirs[0])).toMatch(/^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_[0-9a-z]{5}$/);
      const cfg = JSON.parse(await readFile(join(t.run_dirs[0], 'atss_kd.json'), 'utf8'));
      expect(cfg.optim_wrapper.optimizer).toMatchObject({ lr: t.params.lr, weight_decay: t.params.weight_decay });
      expect(cfg.default_hooks.sweep).toEqual({ type: 'SweepTrialHook', sweep_dir: dir, trial: t.name });
      expect(existsSync(join(t.run_dirs[0], 'epoch_1.safetensors'))).toBe(true);
    }
    // Two random draws (bayes needs two finished trials), as W&B's reference behaviour.
    // (no expected improvement: NaN, stored as null).
    expect(records.map((t) => [t.search_info.success_probability, t.search_info.expected_improvement])).toEqual([[1, null], [1, null]]);
    const png = await readFile(join(dir, 'metric_vs_params.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(await readFile(join(dir, 'results.md'), 'utf8')).toMatch(/trial-002/);

  }, 180_000);

  it('runs 2 trials at once with --agents=2, each agent its own process and trial, then does nothing more when resumed', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'detlab-sweep-')), 'atss_kd');
    const sweep = ['sweep', '--config=atss_r18_tiny_mnistdet', '--sweep=configs/sweeps/atss_kd.yaml', `--sweep-dir=${dir}`, '--count=2'];
    const result = await detlab([...sweep, '--agents=2', ...SHORT]);
    expect(result.code).toBe(0);
    const records = await trials(dir);
    expect(records.map((t) => [t.name, t.state, t.attempts])).toEqual([['trial-001', 'finished', 1], ['trial-002', 'finished', 1]]);
    expect(new Set(records.map((t) => t.owner.pid)).size).toBe(2);
    // The same command again: the sweep already has its 2 trials, so it only prints the table.
    const again = await detlab([...sweep, ...SHORT]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/trial-002/);
    expect((await trials(dir)).length).toBe(2);
  }, 90_000);

  it('names each trial\'s W&B run <config>_<run id> in the sweep\'s project, with its parameters in the config', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'detlab-sweep-')), 'tiny');
    const result = await detlab(['sweep', '--config=test/fixtures/sweep/atss_tiny_wandb.yaml', '--sweep=test/fixtures/sweep/tiny_sweep.yaml', `--sweep-dir=${dir}`, '--count=1', ...SHORT], { WANDB_MODE: 'offline' });
    expect(result.code).toBe(0);
    const [trial] = await trials(dir);
    const runDir = trial.run_dirs[0];
    const offline = (await readdir(join(runDir, 'wandb')))[0];
    const run = JSON.parse(await readFile(join(runDir, 'wandb', offline, 'run.json'), 'utf8'));
    expect(run.name).toBe(`atss_tiny_wandb_${basename(runDir).slice(-5)}`);
    expect(run.project).toBe('ATSS-test');
    const config = JSON.parse(await readFile(join(runDir, 'wandb', offline, 'config.json'), 'utf8'));
    expect(config.lr).toEqual({ value: trial.params.lr });
    expect(config.model.value.bbox_head.loss_cls.gamma).toBe(trial.params['model.bbox_head.loss_cls.gamma']);
  }, 60_000);

  it('names the sweep file and the parameter when a path is not in the config', async () => {
    const result = await detlab(['sweep', '--config=atss_r18_tiny_mnistdet', '--sweep=test/fixtures/sweep/bad_path.json', '--count=1']);
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).toMatch(/parameters\.model\.bbox_haed\.x: the config has no 'model\.bbox_haed'/);
  }, 30_000);
});
