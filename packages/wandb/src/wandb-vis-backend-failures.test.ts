import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWandbTestServer, unusedUrl, type WandbTestServer, type WandbTestServerOptions } from './__fixtures__/wandb-test-server.js';
import { MemoryLogger, TEST_API_KEY, setWandbEnv, waitFor } from './__fixtures__/test-env.js';
import { logToyRun } from './__fixtures__/toy-run.js';
import { WandbVisBackend } from './wandb-vis-backend.js';

let server: WandbTestServer | undefined;
let restoreEnv = () => {};

afterEach(async () => {
  restoreEnv();
  await server?.close();
  server = undefined;
});

/** A backend pointed at a test server started with `options` (or at `url`). */
async function setUp(options: WandbTestServerOptions, env: { url?: string; apiKey?: string } = {}, timeout = 60) {
  server = await startWandbTestServer({ apiKey: TEST_API_KEY, ...options });
  restoreEnv = setWandbEnv({ WANDB_BASE_URL: env.url ?? server.url, WANDB_API_KEY: 'apiKey' in env ? env.apiKey : TEST_API_KEY });
  const logger = new MemoryLogger();
  const backend = new WandbVisBackend({ save_dir: mkdtempSync(join(tmpdir(), 'detlab-wandb-')), timeout }, logger);
  return { backend, logger, server };
}

describe('WandbVisBackend when W&B fails', () => {
  it('survives a server answering 500: one warning, no throw, and nothing sent after it', async () => {
    const { backend, logger, server } = await setUp({ failWith: 500 });
    backend.addScalars({ loss: 1 }, 1);
    await waitFor(() => logger.warnings.length > 0);
    const seen = server.requests.length;
    await logToyRun(backend); // more rows and close after the failure: all no-ops
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('W&B logging is off for the rest of this run: POST /graphql answered HTTP 500');
    expect(logger.warnings[0]).toContain(`Check that ${server.url} (WANDB_BASE_URL) is reachable, or set WANDB_MODE=offline`);
    expect(server.requests.map((r) => r.body?.operationName)).toEqual(['Viewer']); // the SDK alone would retry for ~20 minutes
    expect(server.requests).toHaveLength(seen);
  });

  it('survives a refused connection with one warning naming the server', async () => {
    const url = await unusedUrl();
    const { backend, logger } = await setUp({}, { url });
    await logToyRun(backend);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain(`POST /graphql failed: ECONNREFUSED. Check that ${url} (WANDB_BASE_URL) is reachable`);
  });

  it('says to check WANDB_API_KEY when the server rejects the key', async () => {
    const { backend, logger, server } = await setUp({}, { apiKey: 'x'.repeat(40) });
    await logToyRun(backend);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('POST /graphql answered HTTP 401');
    expect(logger.warnings[0]).toContain(`Check WANDB_API_KEY (or the key for ${server.url} in ~/.netrc).`);
  });

  it('says to set WANDB_API_KEY when there is no key at all (the SDK would prompt)', async () => {
    const home = process.env.HOME;
    process.env.HOME = mkdtempSync(join(tmpdir(), 'detlab-home-')); // no ~/.netrc
    try {
      const { backend, logger, server } = await setUp({}, { apiKey: undefined });
      await logToyRun(backend);
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]).toContain('Cannot prompt for API key, set the WANDB_API_KEY environment variable');
      expect(server.requests).toEqual([]);
    } finally {
      process.env.HOME = home;
    }
  });

  it('notices history uploads answered with 500, which the SDK itself ignores', async () => {
    const { backend, logger, server } = await setUp({ failWith: 500, failPaths: /file_stream$/ });
    await logToyRun(backend);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/POST \/files\/tester\/uncategorized\/[a-z0-9]{8}\/file_stream answered HTTP 500/);
    expect(server.onlyRun().state).toBe('running');
  });

  it('gives up after timeout seconds when the server never answers, and close returns', async () => {
    const { backend, logger } = await setUp({ silent: true }, {}, 0.5);
    const started = Date.now();
    await logToyRun(backend);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/(starting|finishing) the run took longer than 0.5 s \(http:\/\/127\.0\.0\.1:\d+ does not answer\)/);
  });

  it('contains the SDK crash on GraphQL errors (an uncaught exception in its listener) to its worker', async () => {
    const { backend, logger } = await setUp({ upsertErrors: true });
    await logToyRun(backend);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('the W&B worker crashed');
  });
});
