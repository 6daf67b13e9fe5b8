/**
 * `DataParallel`: data-parallel training over worker threads, the single-machine counterpart of MMEngine's
 * `MMDistributedDataParallel` with non-synced BatchNorm (PyTorch DDP, `broadcast_buffers=True`).
 *
 * The wasm backend runs one thread per process; with R replicas a step uses R cores. The main thread is rank 0:
 * it keeps the authoritative model and optimizer and trains on shard 0 itself, while R − 1 worker threads each
 * hold a replica built from the same model config. Each step:
 *
 * 1. the batch is split into R consecutive shards (`split-batch.ts`);
 * 2. the main thread writes every parameter and buffer into shared memory (rank 0's buffers, as DDP broadcasts
 *    them before each forward), and each worker loads them: every replica computes with identical weights;
 * 3. every replica computes the losses of its shard and their gradients (`tf.variableGrads`) in parallel;
 * 4. gradients and logged losses are averaged weighted by shard size (each loss is a per-shard mean, as a
 *    per-GPU loss in mmdet; equal shards give DDP's plain average), and the optim wrapper clips, accumulates
 *    and steps with them (`updateParamsWithGrads`) on the main thread's model only.
 *
 * Batch-coupled computations run per shard, as on separate GPUs: BatchNorm statistics in train mode, a loss
 * normalised by the positives of the batch (ATSS's `avg_factor`; mmdet reduces it across GPUs, detlab does
 * not), padding to the largest image of the batch. For a model without them, R replicas give the single-thread
 * result on the same global batch up to float rounding; with them, they give the result of single-thread
 * training with `accumulative_counts: R` over the same shards.
 *
 * @example
 * env_cfg: { backend: 'wasm', num_workers_train: 'auto' } // one replica per core
 */
import { DetlabError, type Logger } from '@detlab/core';
import { addScaledValues, type BackendChoice, type Module } from '@detlab/tensor';
import * as tf from '@tensorflow/tfjs-core';
import type { Worker } from 'node:worker_threads';
import { parseLosses, readScalars } from '../../optim/optimizer/parse-losses.js';
import type { TrainableModel } from '../trainable-model.js';
import { startModuleWorker } from '@detlab/core';
import type { ReplicaInit, ReplicaReply, ReplicaStep, ReplicaTimings } from './replica-worker.js';
import { replicaImports } from './replica-imports.js';
import { batchLength, shardSizes, splitBatch, splitsBatches } from './split-batch.js';
import { stateLayout, stateVariables, writeState, type StateLayout } from './state-layout.js';

/** What `DataParallel` needs of the optim wrapper (OptimWrapper has both). */
export interface DataParallelOptimWrapper {
  /** The variables the optimizer updates now (frozen ones excluded). */
  trainableVariables(): tf.Variable[];
  /** Accumulates `grads` (by variable name, of the unscaled loss; ownership passes) and steps when due. */
  updateParamsWithGrads(grads: tf.NamedTensorMap, losses: Record<string, number>): { losses: Record<string, number>; gradNorm?: number };
}

/** Options of `DataParallel.start`. */
export interface DataParallelOptions {
  /** The main thread's model (rank 0), already built from `modelCfg`. */
  model: TrainableModel;
  /** The plain-data model config every worker builds its replica from. */
  modelCfg: Record<string, unknown>;
  /** Replicas in all, this thread included (≥ 2). */
  replicas: number;
  /** The config's `custom_imports`, and its file (relative imports resolve from its folder). */
  customImports?: unknown;
  configFile?: string;
  /** The backend workers initialise (the main thread's). */
  backend: BackendChoice;
  /** wasm threads of each worker (`env_cfg.num_threads` shared out; default 1). */
  threads?: number;
  /** Whether workers run their convolutions on oneDNN when it is built (`env_cfg.onednn`; default true). */
  onednn?: boolean;
  seed: number;
  logger?: Logger;
}

interface Replica {
  rank: number;
  worker: Worker;
  grads: SharedArrayBuffer;
  pending?: { id: number; resolve: (reply: ReplicaResult) => void; reject: (error: Error) => void };
}

type ReplicaResult = Extract<ReplicaReply, { type: 'result' }>;

/** Where the last step's time went, in ms (for benchmarks): the parallel part is `local` and `wait`. */
export interface DataParallelTimings {
  /** Splitting the batch and writing parameters and buffers to shared memory. */
  broadcast: number;
  /** Rank 0's forward and backward on this thread. */
  local: number;
  /** Waiting for the workers after rank 0 finished. */
  wait: number;
  /** Averaging gradients and the optim wrapper's clip + step. */
  update: number;
  /** The slowest worker's own split (the largest of each part over the workers). */
  replica: ReplicaTimings;
}

/** Data-parallel training over worker threads; see the file comment. */
export class DataParallel {
  /** The last step's time split; see `DataParallelTimings`. */
  lastTimings?: DataParallelTimings;
  private nextId = 0;
  private failure?: Error;
  private closed = false;

  private constructor(
    private readonly model: TrainableModel,
    private readonly layout: StateLayout,
    private readonly state: SharedArrayBuffer,
    private readonly workers: Replica[],
  ) {}

  /** Starts R − 1 worker replicas and resolves once each has built its model (throws with a worker's error). */
  static async start(options: DataParallelOptions): Promise<DataParallel> {
    if (!Number.isInteger(options.replicas) || options.replicas < 2) {
      throw new DetlabError(`DataParallel: expected at least 2 replicas, got ${options.replicas}`);
    }
    const layout = stateLayout(options.model as Module);
    const state = new SharedArrayBuffer(layout.totalElements * 4);
    const imports = replicaImports(options.modelCfg);
    const workers = Array.from({ length: options.replicas - 1 }, (_, i): Replica => {
      const grads = new SharedArrayBuffer(layout.paramElements * 4);
      const init: ReplicaInit = {
        rank: i + 1,
        modelCfg: options.modelCfg,
        imports,
        customImports: options.customImports ?? null,
        configFile: options.configFile,
        backend: options.backend,
        threads: options.threads ?? 1,
        onednn: options.onednn ?? true,
        seed: options.seed,
        layout,
        state,
        grads,
      };
      return { rank: i + 1, worker: startModuleWorker(new URL('./replica-worker.js', import.meta.url), { workerData: init }), grads };
    });
    const dp = new DataParallel(options.model, layout, state, workers);
    try {
      await Promise.all(workers.map((w) => dp.listen(w)));
    } catch (error) {
      await dp.close();
      throw error;
    }
    options.logger?.info(`Data-parallel training: ${options.replicas} replicas (this thread and ${options.replicas - 1} worker threads), each step's batch split between them`);
    return dp;
  }

  /** Replicas in all, this thread included. */
  get replicas(): number {
    return this.workers.length + 1;
  }

  /** One data-parallel training step on `batch`; returns what the optim wrapper reports. */
  async trainStep(batch: unknown, optimWrapper: DataParallelOptimWrapper): Promise<{ losses: Record<string, number>; gradNorm?: number }> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new DetlabError('DataParallel: trainStep after close()');
    const model = this.model;
    const t0 = performance.now();
    const n = splitsBatches(model) ? model.batchLength(batch) : batchLength(batch);
    const sizes = shardSizes(n, this.replicas);
    const shards = splitsBatches(model) ? model.splitBatch(batch, sizes) : splitBatch(batch, sizes);

    const variables = stateVariables(model as Module);
    const trainableSet = new Set(optimWrapper.trainableVariables());
    const paramVariables = variables.slice(0, this.layout.entries.filter((e) => e.param).length);
    const trainable = paramVariables.map((v) => trainableSet.has(v));
    // Before rank 0's forward changes its running statistics: every replica starts from the same buffers.
    writeState(variables, this.layout, this.state);
    const training = model.namedModules().map(([, m]) => m.training);
    const pending = shards.slice(1).map((shard, i) => this.request(this.workers[i], { type: 'step', id: this.nextId++, shard, training, trainable }));

    const t1 = performance.now();
    let local: ReturnType<DataParallel['localStep']>;
    try {
      local = this.localStep(shards[0], paramVariables.filter((_, i) => trainable[i]));
    } catch (error) {
      await Promise.allSettled(pending); // the workers' steps still end before the next one may start
      throw error;
    }
    const t2 = performance.now();
    let replies: ReplicaResult[];
    try {
      replies = await Promise.all(pending);
    } catch (error) {
      tf.dispose(local.grads);
      throw error;
    }
    const t3 = performance.now();
    const weights = sizes.map((s) => s / n);
    const grads = this.averageGrads(local.grads, replies, paramVariables, trainable, weights);
    const losses = averageLosses([local.losses, ...replies.map((r) => Object.fromEntries(r.losses))], weights);
    const result = optimWrapper.updateParamsWithGrads(grads, losses);
    this.lastTimings = { broadcast: t1 - t0, local: t2 - t1, wait: t3 - t2, update: performance.now() - t3, replica: slowestParts(replies) };
    return result;
  }

  /** Terminates the workers. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new DetlabError('DataParallel: closed while a step was running'));
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  /** Rank 0: the losses and gradients of shard 0 on this thread. */
  private localStep(shard: unknown, wanted: tf.Variable[]): { losses: Record<string, number>; grads: tf.NamedTensorMap } {
    let named: Array<[string, tf.Scalar]> = [];
    try {
      const { value, grads } = tf.tidy(() =>
        tf.variableGrads(() => {
          named = parseLosses(this.model.loss(shard));
          for (const [, t] of named) tf.keep(t);
          return named[0][1];
        }, wanted),
      );
      // value is the total loss itself (kept above), disposed with the others below.
      if (!named.some(([, t]) => t === value)) value.dispose();
      const numbers = readScalars(named.map(([, t]) => t));
      return { losses: Object.fromEntries(named.map(([k], i) => [k, numbers[i]])), grads };
    } finally {
      for (const t of new Set(named.map(([, t]) => t))) t.dispose();
    }
  }

  /**
   * Σ_r w_r · g_r per trainable parameter (a replica that produced none for a parameter adds zero). Each replica's
   * gradient is added straight from its shared buffer (`addScaledValues`: one native pass with oneDNN's addon).
   */
  private averageGrads(local: tf.NamedTensorMap, replies: ReplicaResult[], params: tf.Variable[], trainable: boolean[], weights: number[]): tf.NamedTensorMap {
    const views = replies.map((r, i) => ({ present: new Set(r.present), values: new Float32Array(this.workers[i].grads) }));
    const out: tf.NamedTensorMap = {};
    params.forEach((variable, i) => {
      if (!trainable[i]) return;
      const entry = this.layout.entries[i];
      const own = local[variable.name];
      // The sum so far, and the factor it still needs: the own gradient enters unscaled and is scaled by the
      // first addition, so that each replica costs one pass.
      let sum = own;
      let factor = weights[0];
      views.forEach((view, r) => {
        if (!view.present.has(i)) return;
        const values = view.values.subarray(entry.offset, entry.offset + entry.size);
        const next = sum ? addScaledValues(sum, factor, values, weights[r + 1]) : tf.tidy(() => tf.mul(tf.tensor(values, entry.shape, 'float32'), weights[r + 1]));
        if (sum && sum !== own) sum.dispose();
        sum = next;
        factor = 1;
      });
      // The own gradient alone is scaled into a new tensor: `local` is disposed below.
      if (sum) out[variable.name] = sum === own ? tf.tidy(() => tf.mul(own, factor)) : sum;
    });
    tf.dispose(local);
    return out;
  }

  /** Waits for `replica`'s ready message; afterwards routes its replies to the pending request. */
  private listen(replica: Replica): Promise<void> {
    const { worker, rank } = replica;
    worker.unref();
    return new Promise((resolve, reject) => {
      worker.on('message', (reply: ReplicaReply) => {
        if (reply.type === 'ready') return resolve();
        if (reply.type === 'init-error') return reject(this.fail(new DetlabError(`DataParallel: worker ${rank} could not build its model replica: ${reply.message}`)));
        const pending = replica.pending;
        if (!pending || pending.id !== reply.id) return;
        replica.pending = undefined;
        worker.unref();
        if (reply.type === 'result') pending.resolve(reply);
        else pending.reject(this.fail(reply.detlab ? new DetlabError(`DataParallel worker ${rank}: ${reply.message}`) : new Error(`DataParallel worker ${rank}: ${reply.message}`)));
      });
      worker.on('error', (error) => reject(this.fail(new DetlabError(`DataParallel worker ${rank} crashed: ${error.stack ?? error.message}`, { cause: error }))));
      worker.on('exit', (code) => {
        if (!this.closed) reject(this.fail(new DetlabError(`DataParallel worker ${rank} exited unexpectedly (exit code ${code})`)));
      });
    });
  }

  private request(replica: Replica, step: ReplicaStep): Promise<ReplicaResult> {
    return new Promise((resolve, reject) => {
      replica.pending = { id: step.id, resolve, reject };
      replica.worker.ref(); // a running step keeps the process alive
      replica.worker.postMessage(step);
    });
  }

  /** Breaks the pool: the first failure is kept and thrown by every later step; returns it. */
  private fail(error: Error): Error {
    if (this.failure || this.closed) return this.failure ?? error;
    this.failure = error;
    this.failAll(error);
    for (const w of this.workers) void w.worker.terminate();
    return error;
  }

  private failAll(error: Error): void {
    for (const w of this.workers) {
      w.pending?.reject(error);
      w.pending = undefined;
    }
  }
}

/** The largest of each part of the workers' timings. */
function slowestParts(replies: ReplicaResult[]): ReplicaTimings {
  const slowest = (part: keyof ReplicaTimings): number => Math.max(...replies.map((r) => r.timings[part]));
  return { load: slowest('load'), compute: slowest('compute'), send: slowest('send') };
}

/** Weighted mean of each loss over the replicas that report it. */
function averageLosses(perReplica: Array<Record<string, number>>, weights: number[]): Record<string, number> {
  const sums: Record<string, { value: number; weight: number }> = {};
  perReplica.forEach((losses, r) => {
    for (const [key, value] of Object.entries(losses)) {
      const s = (sums[key] ??= { value: 0, weight: 0 });
      s.value += weights[r] * value;
      s.weight += weights[r];
    }
  });
  return Object.fromEntries(Object.entries(sums).map(([k, s]) => [k, s.value / s.weight]));
}
