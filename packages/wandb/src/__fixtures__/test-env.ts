/**
 * Test helpers: a logger that keeps its lines, and the W&B environment variables set for one test and
 * restored after it.
 *
 * @example
 * const restore = setWandbEnv({ WANDB_BASE_URL: server.url, WANDB_API_KEY: TEST_API_KEY });
 * afterEach(restore);
 */
import { ConsoleLogger } from '@detlab/core';

/** A 40-character key, as W&B keys are. */
export const TEST_API_KEY = 'k'.repeat(40);

/** The variables the SDK and the backend read (reference/wandb.md §9.2). */
const WANDB_VARS = ['WANDB_BASE_URL', 'WANDB_API_KEY', 'WANDB_MODE', 'WANDB_DEBUG'] as const;

/** Sets (or, with undefined, deletes) the W&B variables; returns a function that restores them all. */
export function setWandbEnv(values: Partial<Record<(typeof WANDB_VARS)[number], string | undefined>>): () => void {
  const saved = Object.fromEntries(WANDB_VARS.map((name) => [name, process.env[name]]));
  for (const name of WANDB_VARS) {
    const value = name in values ? values[name] : undefined;
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return () => {
    for (const name of WANDB_VARS) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  };
}

/** A logger that records `LEVEL message` lines instead of printing them. */
export class MemoryLogger extends ConsoleLogger {
  readonly lines: string[] = [];
  override debug(message: string): void {
    this.lines.push(`DEBUG ${message}`);
  }
  override info(message: string): void {
    this.lines.push(`INFO ${message}`);
  }
  override warn(message: string): void {
    this.lines.push(`WARN ${message}`);
  }
  override error(message: string): void {
    this.lines.push(`ERROR ${message}`);
  }
  /** The warning lines. */
  get warnings(): string[] {
    return this.lines.filter((line) => line.startsWith('WARN '));
  }
}

/** Resolves once `check` holds (polling every 20 ms), or rejects after `ms`. */
export async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
