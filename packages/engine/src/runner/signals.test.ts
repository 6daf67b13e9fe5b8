import { NodeFileAccess } from '@detlab/core';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import '../index.js';
import { readRunCheckpoint, disposeRunCheckpoint } from '../checkpoint/checkpoint-file.js';
import { readLastCheckpoint } from '../checkpoint/last-checkpoint.js';
import { Runner } from './runner.js';
import { MemoryLogger, ToyLoader, tempDir, testServices, toyConfig, useCpu } from './__fixtures__/toy-run.js';
import { SignalGuard, TrainingInterrupted } from './signals.js';

beforeAll(useCpu);

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const child = fileURLToPath(new URL('./__fixtures__/signal-child.ts', import.meta.url));

/** Runs the child training script, sends `signal` once it is training, and collects its output. */
function trainAndSignal(workDir: string, signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--conditions=@detlab/source', '--import', 'jiti/register', child, workDir], { cwd: packageRoot });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), 110_000);
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (stdout.includes('ready\n') && !proc.killed) proc.kill(signal);
    });
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('SIGINT/SIGTERM', () => {
  it('SIGTERM finishes the iteration, writes a resumable checkpoint and exits with 143; resume continues there', { timeout: 120_000 }, async () => {
    const root = await tempDir();
    const { code, stdout, stderr } = await trainAndSignal(root, 'SIGTERM');
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(143);
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(report.signal).toBe('SIGTERM');
    expect(report.message).toMatch(/^Training stopped by SIGTERM after iteration \d+; resumable checkpoint: .*iter_\d+\.safetensors\n {2}Run again with --resume/);
    expect(await readLastCheckpoint(root, new NodeFileAccess())).toBe(report.checkpoint);
    const saved = await readRunCheckpoint(report.checkpoint);
    // The signal came early in the first of 1000-batch epochs: the checkpoint is mid-epoch.
    expect(report.iter).toBeLessThan(500);
    expect([saved.meta.epoch, saved.meta.iter]).toEqual([0, report.iter]);
    disposeRunCheckpoint(saved);

    const { services, logger } = testServices();
    const resumed = await Runner.fromConfig(toyConfig({ train_dataloader: new ToyLoader(1000, 2), train_cfg: { max_epochs: 1 }, val_dataloader: null, default_hooks: { logger: null } }), {
      workDir: root,
      resume: true,
      services,
    });
    await resumed.train();
    expect(resumed.iter).toBe(1000);
    expect(logger.lines).toContain(`INFO Advance dataloader ${report.iter} steps to skip data that has already been trained`);
  });

  it('asks the run to stop on the first signal and removes its listeners afterwards', () => {
    const received: string[] = [];
    const logger = new MemoryLogger();
    const guard = new SignalGuard((signal) => received.push(signal), logger);
    const before = process.listenerCount('SIGINT');
    guard.install();
    process.emit('SIGINT');
    guard.uninstall();
    expect(received).toEqual(['SIGINT']);
    expect(process.listenerCount('SIGINT')).toBe(before);
    expect(logger.lines).toEqual(['WARN Received SIGINT: finishing the current iteration, then saving a checkpoint (send it again to stop at once)']);
  });

  it('TrainingInterrupted exits with 128 + the signal number', () => {
    expect(new TrainingInterrupted('SIGINT', 'x', 1).exitCode).toBe(130);
    expect(new TrainingInterrupted('SIGTERM', 'x', 1).exitCode).toBe(143);
  });
});
