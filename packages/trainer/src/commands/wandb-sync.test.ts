import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleLogger } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import { EXIT_USER_ERROR, main } from '../cli.js';

class CapturingLogger extends ConsoleLogger {
  readonly errors: string[] = [];
  override error(message: string): void {
    this.errors.push(message);
  }
}

async function run(...argv: string[]) {
  const logger = new CapturingLogger();
  const code = await main(argv, { stdout: () => {}, logger, isTTY: false });
  return { code, errors: logger.errors };
}

describe('wandb-sync', () => {
  it('asks for --run when no folder is given', async () => {
    const result = await run('wandb-sync');
    expect(result.code).toBe(EXIT_USER_ERROR);
    expect(result.errors[0]).toBe('wandb-sync needs the folder to upload\n  Pass --run=DIR: an offline run folder (<run folder>/wandb/offline-run-...) or the training run folder holding it.');
  });

  it('names a folder without offline runs as a user mistake, with where they are written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'detlab-sync-cli-'));
    const result = await run('wandb-sync', `--run=${dir}`);
    expect(result.code).toBe(EXIT_USER_ERROR);
    expect(result.errors[0]).toContain(`${dir}: expected an offline W&B run folder`);
    expect(result.errors[0]).toContain('when WANDB_MODE=offline');
  });
});
