/**
 * The DataLoader's worker threads from the built package, as users run it (see fixtures/dist-data-loader.mjs):
 * same batches as inline, and a process that exits on its own.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('DataLoader from dist', () => {
  it('yields with 2 workers what it yields inline, and lets the process exit', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(here, 'fixtures/dist-data-loader.mjs')], { timeout: 50_000 });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ same: true, batches: 3 });
  });
});
