/**
 * The DataLoader's worker threads: each holds its own copy of the dataset and runs one batch request at a
 * time; requests wait in a queue for the next idle worker. Results come back in whatever order workers
 * finish; the DataLoader awaits them in request order, so batches are yielded in sampler order.
 *
 * An idle worker is unref'd: a pool nobody closed does not keep the process alive, while a pending request
 * does. A worker that fails to build its dataset, throws outside a request, or exits fails every pending
 * request with its message and breaks the pool (later requests fail at once). `close()` terminates all.
 *
 * @example
 * const pool = new WorkerPool(2, { dataset: dataset.config!, imports: [] });
 * const samples = await pool.run([0, 1], { seed: 0, epoch: 0 });
 * await pool.close();
 */
import type { Worker } from 'node:worker_threads';
import { DetlabError } from '@detlab/core';
import type { PackedDetInputs } from '../transforms/transform.js';
import { startModuleWorker } from '@detlab/core';
import type { WorkerInit } from './worker-entry.js';

interface Request {
  id: number;
  indices: number[];
  seed: number;
  epoch: number;
  resolve: (samples: PackedDetInputs[]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  index: number;
  current?: Request;
}

type Reply =
  | { type: 'ready' }
  | { type: 'init-error'; message: string }
  | { type: 'result'; id: number; samples: PackedDetInputs[] }
  | { type: 'error'; id: number; message: string; detlab: boolean };

/**
 * A fixed set of dataset workers; see the file comment.
 *
 * @example
 * const pool = new WorkerPool(4, init);
 */
export class WorkerPool {
  private readonly slots: Slot[];
  private readonly queue: Request[] = [];
  private nextId = 0;
  private failure?: Error;
  private closed = false;

  constructor(size: number, init: WorkerInit) {
    this.slots = Array.from({ length: size }, (_, index) => this.start(index, init));
  }

  /** Samples `indices` (in that order) for `epoch`, built by the next idle worker. */
  run(indices: number[], ctx: { seed: number; epoch: number }): Promise<PackedDetInputs[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new DetlabError('DataLoader: the worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, indices, ...ctx, resolve, reject });
      this.dispatch();
    });
  }

  /** Terminates every worker; pending requests fail. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new DetlabError('DataLoader: the worker pool was closed while batches were pending'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private start(index: number, init: WorkerInit): Slot {
    const worker = startModuleWorker(new URL('./worker-entry.js', import.meta.url), { workerData: init });
    const slot: Slot = { worker, index };
    worker.unref();
    worker.on('message', (reply: Reply) => this.onReply(slot, reply));
    worker.on('error', (error) => this.fail(new DetlabError(`DataLoader worker ${index} crashed: ${error.stack ?? error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new DetlabError(`DataLoader worker ${index} exited unexpectedly (exit code ${code})`));
    });
    return slot;
  }

  private onReply(slot: Slot, reply: Reply): void {
    if (reply.type === 'ready') return;
    if (reply.type === 'init-error') {
      this.fail(new DetlabError(`DataLoader worker ${slot.index} could not build the dataset: ${reply.message}`));
      return;
    }
    const request = slot.current;
    if (!request || request.id !== reply.id) return;
    slot.current = undefined;
    slot.worker.unref();
    if (reply.type === 'result') request.resolve(reply.samples);
    else request.reject(reply.detlab ? new DetlabError(`DataLoader worker ${slot.index}: ${reply.message}`) : new Error(`DataLoader worker ${slot.index}: ${reply.message}`));
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.current || this.queue.length === 0) continue;
      const request = this.queue.shift()!;
      slot.current = request;
      slot.worker.ref(); // a pending request keeps the process alive
      slot.worker.postMessage({ id: request.id, indices: request.indices, seed: request.seed, epoch: request.epoch });
    }
  }

  /** Breaks the pool: every pending request fails with `error`, workers are terminated. */
  private fail(error: Error): void {
    if (this.failure || this.closed) return;
    this.failure = error;
    this.failAll(error);
    this.closed = true;
    for (const slot of this.slots) void slot.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const slot of this.slots) {
      slot.current?.reject(error);
      slot.current = undefined;
    }
    for (const request of this.queue.splice(0)) request.reject(error);
  }
}
