/**
 * The worker thread that runs `@wandb/sdk` 0.5.1 for `SdkClient`, and the messages both sides exchange.
 *
 * Why a worker (reference/wandb.md §9.8): in the training process the SDK could hang ~20 minutes retrying a
 * 5xx, kill the process with an uncaught exception when UpsertBucket returns GraphQL errors, keep the process
 * alive with a 1 s timer, and `process.exit()` on the first SIGINT (before the runner writes its resumable
 * checkpoint). Inside a worker a crash ends only the worker, signals are not delivered, and
 * `worker.terminate()` stops every timer and retry at once.
 *
 * Why the worker watches HTTP itself: the SDK never checks file_stream answers (a 5xx silently drops
 * history) and turns a failed request into a console line. The worker subscribes to Node's `http.client.*`
 * diagnostics channels, so any answer ≥ 400 or failed request becomes one `failed` message.
 *
 * `workerSource()` is the code the worker evaluates: `workerMain` as text. Keeping it a typed function (rather
 * than a `.js` file) lets it run from `src/` under vitest and from `dist/` alike; it must therefore use
 * nothing from this module's scope, only `require` and `workerData`. It uses `require` (eval'd worker code
 * is CommonJS), not `import()`: vitest rewrites `import()` into a helper that does not exist in the worker.
 * Hence also the SDK's CommonJS build, which behaves as its ESM build (§9.9).
 *
 * @example
 * new Worker(workerSource(), { eval: true, workerData: { sdkPath } satisfies SdkWorkerData });
 */

/** What the worker is started with. */
export interface SdkWorkerData {
  /** Path of `@wandb/sdk`'s CommonJS entry; resolved by the parent, since eval'd code has no module path. */
  sdkPath: string;
}

/** The run to start: exactly what the SDK sends to the server (§9.3), already in its final form. */
export interface SdkRunInit {
  id: string;
  project?: string;
  entity?: string;
  name?: string;
  /** The config in the form W&B shows: `{key: {value}}` (see `run-config.ts`). */
  config: Record<string, unknown>;
}

/** Connection settings; unset fields fall back to `WANDB_BASE_URL` / `WANDB_API_KEY` in the worker. */
export interface SdkSettings {
  baseUrl?: string;
  apiKey?: string;
}

/** Parent to worker. */
export type ToWorker =
  | { type: 'init'; init: SdkRunInit; settings: SdkSettings }
  | { type: 'log'; row: Record<string, unknown>; step: number }
  /** Answer `drained` once every row logged so far has been handed to a file_stream post. */
  | { type: 'drain' }
  | { type: 'finish'; exitCode: number };

/** Worker to parent. */
export type FromWorker =
  | { type: 'started'; url: string; entity: string; project: string; name: string }
  | { type: 'failed'; reason: string }
  | { type: 'drained' }
  | { type: 'finished' };

/** The source text the worker evaluates (`new Worker(text, { eval: true })`). */
export function workerSource(): string {
  return `(${workerMain.toString()})();`;
}

/** The worker's body; see the file comment for why it may only use what it imports itself. */
async function workerMain(): Promise<void> {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const channels = require('node:diagnostics_channel') as typeof import('node:diagnostics_channel');
  const port = parentPort!;
  const data = workerData as SdkWorkerData;
  const send = (message: FromWorker) => port.postMessage(message);
  let failed = false;
  const fail = (reason: string) => {
    if (failed) return;
    failed = true;
    send({ type: 'failed', reason });
  };

  // The SDK's HTTP client (cross-fetch -> node-fetch -> http.request) publishes on these channels.
  type Request = { method?: string; path?: string };
  channels.subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: Request; response: { statusCode?: number } };
    const status = response.statusCode ?? 0;
    if (status >= 400) fail(`${request.method} ${request.path} answered HTTP ${status}`);
  });
  channels.subscribe('http.client.request.error', (message) => {
    const { request, error } = message as { request: Request; error: Error & { code?: string } };
    fail(`${request.method} ${request.path} failed: ${error.code ?? error.message}`);
  });

  const sdk = require(data.sdkPath).default as {
    init(options: Record<string, unknown>): Promise<SdkRun>;
  };
  type SdkQueue = { isEmpty(): boolean };
  type SdkSender = { queue?: SdkQueue; filestream?: { queue?: SdkQueue } };
  interface SdkRun {
    entity: string;
    project: string;
    name: string;
    log(row: Record<string, unknown>, step?: number): void;
    finish(code?: number): Promise<void>;
    url(): string;
  }

  let run: SdkRun | undefined;
  const handle = async (message: ToWorker): Promise<void> => {
    if (failed) return;
    if (message.type === 'init') {
      const settings: Record<string, unknown> = { silent: true, offline: false };
      // An explicit `undefined` would override the SDK's own env lookup (it spreads overrides over defaults).
      if (message.settings.baseUrl) settings.baseUrl = message.settings.baseUrl;
      if (message.settings.apiKey) settings.apiKey = message.settings.apiKey;
      run = await sdk.init({ ...message.init, settings });
      if (!failed) send({ type: 'started', url: run.url(), entity: run.entity, project: run.project, name: run.name });
    } else if (message.type === 'log') {
      run!.log(message.row, message.step);
    } else if (message.type === 'drain') {
      // SDK internals (0.5.1 is pinned exactly): a row waits in the sender's queue, then in the file stream's
      // queue until a post takes it. There is no public way to ask; without them, answer at once.
      const sender = (run as unknown as { _messenger?: { sender?: SdkSender } })._messenger?.sender;
      while (!failed && sender?.queue && sender.filestream?.queue && !(sender.queue.isEmpty() && sender.filestream.queue.isEmpty())) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      send({ type: 'drained' });
    } else {
      await run!.finish(message.exitCode);
      if (!failed) send({ type: 'finished' });
    }
  };
  // One message at a time, in order: `log` must wait for `init` (the SDK throws before the run exists).
  let chain = Promise.resolve();
  port.on('message', (message: ToWorker) => {
    chain = chain.then(() => handle(message)).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
  });
}
