/**
 * Multi-threaded wasm in Node: XNNPACK's thread pool (convolutions, matMuls) on several cores of one process.
 *
 * tfjs ships a threaded-SIMD build of its wasm backend but never loads it in Node (`WASM_HAS_MULTITHREAD_SUPPORT`
 * is false there, tensorflow/tfjs#3830): its loader hands emscripten a `blob:` URL for the pthread worker script,
 * which Node's `worker_threads` reject. The emscripten glue itself supports Node. This module loads that build
 * the Node way, with the worker script written to a file, and registers it as the `wasm` backend, so every wasm
 * kernel (tfjs's and detlab's fixes) keeps working unchanged.
 *
 * Two details of the build are worked around here:
 * - its C++ caps the pool at `logical cores / 2` (it assumes two hyperthreads per core), which is 1 on a 2-vCPU
 *   VM: the core count it is given at start-up is 2 × the threads asked for, so the cap is that count;
 * - tfjs reads tensors through `module.HEAPU8`, a view emscripten refreshes only when it notices the shared
 *   memory grew: the view is re-made whenever the memory's buffer changed.
 *
 * One thread uses tfjs's own single-threaded SIMD build (about 20% faster per thread than the threaded build on
 * one thread). The thread count is fixed when the backend initialises, once per process (per worker thread).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm, getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { DetlabError } from '@detlab/core';

const require = createRequire(import.meta.url);

/** `env_cfg.num_threads` as configs write it. */
export type ThreadsOption = number | 'auto';

/** How long the threaded module may take to start its workers before initialisation fails. */
const START_TIMEOUT_S = 60;

/** What the threaded build's pool can hold: tfjs starts 8 pthread workers with the module. */
export const MAX_WASM_THREADS = 8;

/** The parts of the WebAssembly global used here (the project's TS libs declare no WebAssembly types). */
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object; module: object }>;
}
const { WebAssembly: wasmApi } = globalThis as unknown as { WebAssembly: WasmApi };

type BackendFactory = NonNullable<ReturnType<typeof tf.findBackendFactory>>;

/** tfjs's own wasm factory, kept so that one thread can go back to it. Shared across copies of this module. */
const state = ((globalThis as Record<symbol, unknown>)[Symbol.for('detlab.wasmThreads')] ??= {
  stockFactory: undefined as BackendFactory | undefined,
  requested: 1,
}) as { stockFactory: BackendFactory | undefined; requested: number };

/** The thread count `option` means on this machine: 'auto' is every core, capped at `MAX_WASM_THREADS`. */
export function resolveThreads(option: ThreadsOption | undefined, cores = availableParallelism()): number {
  if (option === undefined || option === 'auto') return Math.max(1, Math.min(cores, MAX_WASM_THREADS));
  if (!Number.isInteger(option) || option < 1 || option > MAX_WASM_THREADS) {
    throw new DetlabError(`env_cfg.num_threads: expected an integer from 1 to ${MAX_WASM_THREADS} or 'auto', got ${JSON.stringify(option)}.`, {
      hint: "Use 'auto' (one per core) or a thread count such as 2.",
    });
  }
  return option;
}

/**
 * Makes the next initialisation of the `wasm` backend run XNNPACK on `threads` threads (1: tfjs's own
 * single-threaded build). Returns false, changing nothing, when wasm is already initialised in this process:
 * its thread count is then `wasmThreadsCount()`.
 */
export function requestWasmThreads(threads: number): boolean {
  resolveThreads(threads); // validates
  if (tf.engine().registry.wasm !== undefined) return threads === wasmThreadsCount();
  state.stockFactory ??= tf.findBackendFactory('wasm') ?? undefined;
  if (state.stockFactory === undefined) throw new Error('The tfjs wasm backend is not registered: import @tensorflow/tfjs-backend-wasm first.');
  if (threads === state.requested) return true;
  const priority = 2; // tfjs's WASM_PRIORITY
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', threads === 1 ? state.stockFactory : () => loadThreadedBackend(threads), priority);
  state.requested = threads;
  return true;
}

/** The thread count of the initialised wasm backend (1 before it is initialised). */
export function wasmThreadsCount(): number {
  if (tf.engine().registry.wasm === undefined) return 1;
  return Math.max(getThreadsCount(), 1);
}

/** The threaded-SIMD module as emscripten's glue exposes it, with the bindings tfjs's `init` adds. */
interface ThreadedModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  wasmMemory: WasmMemory;
  HEAPU8: Uint8Array;
  PThread: { runningWorkers: Array<{ unref(): void }> };
  tfjs?: Record<string, unknown>;
}

type ModuleFactory = (options: Record<string, unknown>) => Promise<ThreadedModule>;

async function loadThreadedBackend(threads: number): Promise<tf.KernelBackend> {
  const wasmOut = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const glue = join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
  const factory = require(glue) as ModuleFactory;
  const binary = readFileSync(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.wasm'));
  const workerScript = writeWorkerScript(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js'));
  let failed: (error: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  // emscripten resolves the module once its pthread workers have loaded; one that cannot start never resolves.
  const timer = setTimeout(() => failed(new Error(`its ${MAX_WASM_THREADS} pthread workers did not start within ${START_TIMEOUT_S} s`)), START_TIMEOUT_S * 1000);
  timer.unref();
  const loading = factory({
    locateFile: (file: string) => (file.endsWith('.worker.js') ? workerScript : join(wasmOut, file)),
    mainScriptUrlOrBlob: glue,
    instantiateWasm(imports: { env: Record<string, unknown> }, receiveInstance: (instance: object, module: object) => void) {
      // The C++ pool size is min(asked, logical cores / 2): see the file comment.
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      wasmApi.instantiate(binary, imports).then(({ instance, module: compiled }) => receiveInstance(instance, compiled), failed);
      return {}; // emscripten's convention for an asynchronous instantiation
    },
  });
  let module: ThreadedModule;
  try {
    module = await Promise.race([loading, failure]);
  } catch (error) {
    throw new DetlabError(`The multi-threaded wasm backend (${threads} threads) failed to start: ${error instanceof Error ? error.message : String(error)}.`, {
      hint: 'Set env_cfg.num_threads: 1 to use the single-threaded wasm backend.',
    });
  } finally {
    clearTimeout(timer);
  }
  refreshHeapViewOnGrowth(module);
  // The bindings tfjs's own `init` (backend_wasm.js) adds before constructing the backend.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  setThreadsCount(threads);
  const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  // The pool's threads started with the backend and never end; emscripten keeps Node alive while a pthread runs,
  // which would keep every training process from exiting when its work is done.
  for (const worker of module.PThread.runningWorkers) worker.unref();
  return backend;
}

/**
 * tfjs ships the pthread worker script as a CommonJS module exporting its text (meant for a `blob:` URL); Node
 * needs it as a file. Written once per content under the temp folder, atomically.
 */
function writeWorkerScript(exportingModule: string): string {
  const { wasmWorkerContents } = require(exportingModule) as { wasmWorkerContents: string };
  // The text holds "\n" escapes inside string literals that the template literal turned into newlines; tfjs's
  // loader escapes them back the same way before making its blob.
  const text = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const file = join(tmpdir(), `detlab-tfjs-wasm-worker-${hash}.cjs`);
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  }
  return file;
}

/** Re-makes `module.HEAPU8` whenever the shared memory grew (its `buffer` is then a new, longer object). */
function refreshHeapViewOnGrowth(module: ThreadedModule): void {
  let view = new Uint8Array(module.wasmMemory.buffer);
  Object.defineProperty(module, 'HEAPU8', {
    configurable: true,
    get() {
      const buffer = module.wasmMemory.buffer;
      if (view.buffer !== buffer) view = new Uint8Array(buffer);
      return view;
    },
    set() {
      // emscripten assigns its own views on growth; the getter already returns a current one.
    },
  });
}
