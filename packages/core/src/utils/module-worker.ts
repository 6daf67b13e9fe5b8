/**
 * Starts a package module in a worker thread, whether the package runs from its built `dist/` (the `.js` file
 * exists) or from its TypeScript `src/` under vitest (only the `.ts` file exists; the worker then loads it
 * through `source-mode/bootstrap.mjs`, which strips types as vitest would). Callers name the module by its
 * `.js` URL beside themselves, as an import would.
 *
 * `runModuleSync` runs a module's `run(input)` in such a worker and blocks until it settles (Atomics.wait plus
 * receiveMessageOnPort, the technique of synckit): for the rare synchronous API that needs async work, such as
 * making MNIST-Det inside a dataset constructor.
 *
 * @example
 * const worker = startModuleWorker(new URL('./worker-entry.js', import.meta.url), { workerData });
 * const result = runModuleSync(new URL('./make-task.js', import.meta.url), { root: 'data/mnist_det' });
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type WorkerOptions } from 'node:worker_threads';
import { DetlabError } from '../errors.js';

/**
 * A worker running `entry` (a `.js` URL; its `.ts` twin when only that exists).
 *
 * @example
 * startModuleWorker(new URL('./worker-entry.js', import.meta.url), { workerData: { dataset } });
 */
export function startModuleWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const resolved = resolveModule(entry);
  if (!resolved.source) return new Worker(resolved.url, options);
  return new Worker(new URL('./source-mode/bootstrap.mjs', import.meta.url), { ...options, argv: [...(options.argv ?? []), resolved.url.href] });
}

/**
 * The URL to import for `entry`, and whether that is a TypeScript source.
 *
 * @example
 * resolveModule(new URL('./x.js', import.meta.url)); // { url: .../x.ts, source: true } under vitest
 */
export function resolveModule(entry: URL): { url: URL; source: boolean } {
  if (existsSync(fileURLToPath(entry))) return { url: entry, source: false };
  const ts = new URL(entry.href.replace(/\.js$/, '.ts'));
  if (entry.href.endsWith('.js') && existsSync(fileURLToPath(ts))) return { url: ts, source: true };
  throw new DetlabError(`Cannot start a worker: neither ${fileURLToPath(entry)} nor its .ts source exists`, {
    hint: 'Build the package (npx nx run-many -t build) or run from a checkout with its sources.',
  });
}

/**
 * Runs `export async function run(input)` of `module` in a worker and returns its result synchronously;
 * throws its error (as a DetlabError with the same message), or after `timeoutMs`.
 *
 * @example
 * const count = runModuleSync<number>(new URL('./count-files.js', import.meta.url), { dir: '/tmp' });
 */
export function runModuleSync<T>(module: URL, input: unknown, timeoutMs = 30 * 60_000): T {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = startModuleWorker(new URL('./sync-worker-entry.js', import.meta.url), {
    workerData: { module: resolveModule(module).url.href, input, flag, port: port2 },
    transferList: [port2],
  });
  try {
    if (Atomics.wait(flag, 0, 0, timeoutMs) === 'timed-out') {
      throw new DetlabError(`${fileURLToPath(module)} did not finish within ${Math.round(timeoutMs / 1000)} s`);
    }
    const reply = receiveMessageOnPort(port1)?.message as { ok: true; value: T } | { ok: false; message: string } | undefined;
    if (!reply) throw new DetlabError(`${fileURLToPath(module)} ended without a result`);
    if (!reply.ok) throw new DetlabError(reply.message);
    return reply.value;
  } finally {
    port1.close();
    void worker.terminate();
  }
}
