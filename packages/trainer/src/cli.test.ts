import { describe, expect, it } from 'vitest';
import { ConsoleLogger } from '@detlab/core';
import { EXIT_USER_ERROR, USAGE, main } from './cli.js';

class CapturingLogger extends ConsoleLogger {
  readonly errors: string[] = [];
  override error(message: string): void {
    this.errors.push(message);
  }
}

async function run(...argv: string[]) {
  let stdout = '';
  const logger = new CapturingLogger();
  const code = await main(argv, { stdout: (t) => (stdout += t), logger, isTTY: false });
  return { code, stdout, errors: logger.errors };
}

describe('main', () => {
  it('prints the usage for help', async () => {
    const result = await run('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(USAGE);
  });

  it('names an unknown command and lists the known ones', async () => {
    const result = await run('trian');
    expect(result.code).toBe(EXIT_USER_ERROR);
    expect(result.errors[0]).toContain("Unknown command 'trian'");
    expect(result.errors[0]).toContain('print-config, diff-config');
  });

  it('asks for a config when none is given', async () => {
    const result = await run('print-config');
    expect(result.code).toBe(EXIT_USER_ERROR);
    expect(result.errors[0]).toContain('No config given');
    expect(result.errors[0]).toContain('--config=NAME');
  });

  it('lists the root registries', async () => {
    const result = await run('list-modules');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^model \(\d+\)$/m);
    expect(result.stdout).toMatch(/^parameter scheduler \(\d+\)$/m);
  });
});
