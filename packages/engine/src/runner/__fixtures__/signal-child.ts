/**
 * A training run for the signal test, started as a child process: it prints `ready` after its third
 * iteration, trains until a signal stops it, then prints what `TrainingInterrupted` carried and exits with
 * its exit code. Usage: node --conditions=@detlab/source --import jiti/register signal-child.ts <work dir>
 */
import '../../index.js';
import { Hook } from '../../hooks/hook.js';
import { Runner } from '../runner.js';
import { TrainingInterrupted } from '../signals.js';
import { ToyLoader, testServices, toyConfig, useCpu } from './toy-run.js';

class AnnounceReady extends Hook {
  override afterTrainIter(runner: Runner): void {
    if (runner.iter === 2) process.stdout.write('ready\n');
  }
}

async function main(): Promise<void> {
  await useCpu();
  const cfg = toyConfig({
    train_dataloader: new ToyLoader(1000, 2),
    train_cfg: { max_epochs: 1000 },
    val_dataloader: null,
    default_hooks: { logger: null },
    custom_hooks: [new AnnounceReady()],
  });
  const runner = await Runner.fromConfig(cfg, { workDir: process.argv[2], ...testServices() });
  try {
    await runner.train();
    process.stdout.write('finished\n');
  } catch (error) {
    if (!(error instanceof TrainingInterrupted)) throw error;
    process.stdout.write(`${JSON.stringify({ signal: error.signal, iter: error.iter, checkpoint: error.checkpoint, message: error.message })}\n`);
    process.exitCode = error.exitCode;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exitCode = 1;
});
