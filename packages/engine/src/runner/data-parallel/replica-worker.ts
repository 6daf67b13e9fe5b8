/**
 * A data-parallel replica: a worker thread that builds the main thread's model from its config, then, for each
 * step, loads the parameters and buffers the main thread wrote into shared memory, computes the losses of its
 * shard under `tf.variableGrads` and writes the gradients into its own shared buffer.
 *
 * Its buffer updates (BatchNorm running statistics) are never sent back: the main thread is rank 0, and, as
 * PyTorch DDP broadcasts rank 0's buffers before each forward, rank 0's buffers win.
 *
 * Messages in: `{ type: 'step', id, shard, training, trainable }`. Out: `{ type: 'ready' }`,
 * `{ type: 'init-error', message }`, `{ type: 'result', id, losses, present, timings }`, `{ type: 'error', id, message, detlab }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ConsoleLogger, DetlabError, LOGGER, MODELS, importCustomModules, rootContainer } from '@detlab/core';
import { copyValuesInto, initBackend, initWeights, setSeed, type BackendChoice, type Module } from '@detlab/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { parseLosses, readScalars } from '../../optim/optimizer/parse-losses.js';
import type { TrainableModel } from '../trainable-model.js';
import { layoutMismatch, readState, stateLayout, stateVariables, type StateLayout } from './state-layout.js';

/**
 * What a replica is started with.
 *
 * @example
 * const init: ReplicaInit = { rank: 1, modelCfg, imports, customImports: null, backend: 'wasm', threads: 1, onednn: true, seed: 0, layout, state, grads };
 */
export interface ReplicaInit {
  rank: number;
  /** The model config, plain data. */
  modelCfg: Record<string, unknown>;
  /** Packages and files to import first (see `replica-imports.ts`). */
  imports: { packages: string[]; files: string[] };
  /** The config's `custom_imports`, and the config file they are relative to. */
  customImports: unknown;
  configFile?: string;
  backend: BackendChoice;
  /** wasm threads of this replica. */
  threads: number;
  /** Whether this replica's convolutions run on oneDNN when it is built. */
  onednn: boolean;
  seed: number;
  /** The main thread's layout: the replica's model must have the same one. */
  layout: StateLayout;
  /** Parameters and buffers, written by the main thread before each step. */
  state: SharedArrayBuffer;
  /** This replica's gradients (the parameter region of the layout). */
  grads: SharedArrayBuffer;
}

/** A step request. */
export interface ReplicaStep {
  type: 'step';
  id: number;
  shard: unknown;
  /** `training` of every module, in `namedModules()` order. */
  training: boolean[];
  /** Per layout parameter entry: whether the optimizer trains it (gradients wanted). */
  trainable: boolean[];
}

/** Where a replica's step went, in ms. */
export interface ReplicaTimings {
  /** Loading the parameters and buffers from shared memory. */
  load: number;
  /** Forward and backward of its shard. */
  compute: number;
  /** Writing the gradients to its shared buffer. */
  send: number;
}

/** What a replica answers. */
export type ReplicaReply =
  | { type: 'ready' }
  | { type: 'init-error'; message: string }
  | { type: 'result'; id: number; losses: Array<[string, number]>; present: number[]; timings: ReplicaTimings }
  | { type: 'error'; id: number; message: string; detlab: boolean };

const port = parentPort!;
const quiet = new ConsoleLogger();
quiet.level = 'error';
rootContainer.register(LOGGER, { useValue: quiet });

const init = workerData as ReplicaInit;
let model: TrainableModel | undefined;
try {
  model = await buildReplica(init);
  port.postMessage({ type: 'ready' } satisfies ReplicaReply);
} catch (error) {
  port.postMessage({ type: 'init-error', message: (error as Error).message } satisfies ReplicaReply);
}

if (model) {
  const replica = model;
  const variables = stateVariables(replica);
  const modules = replica.namedModules().map(([, m]) => m);
  const params = replica.namedParameters().map(([, p]) => p.variable);
  const grads = new Float32Array(init.grads);
  port.on('message', (step: ReplicaStep) => {
    try {
      const reply = runStep(replica, step, { variables, modules, params, grads });
      port.postMessage(reply satisfies ReplicaReply);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      const message = e instanceof DetlabError ? e.message : (e.stack ?? e.message);
      port.postMessage({ type: 'error', id: step.id, message, detlab: e instanceof DetlabError } satisfies ReplicaReply);
    }
  });
}

async function buildReplica(options: ReplicaInit): Promise<TrainableModel> {
  await initBackend(options.backend, quiet, { threads: options.threads, onednn: options.onednn });
  for (const name of options.imports.packages) await importIfResolvable(name);
  for (const file of options.imports.files) await import(file);
  await importCustomModules({ custom_imports: options.customImports }, { configFile: options.configFile, warn: () => undefined });
  setSeed(options.seed);
  const built = MODELS.build<TrainableModel>(options.modelCfg, { path: 'model' });
  const mismatch = layoutMismatch(options.layout, stateLayout(built as Module));
  if (mismatch) {
    throw new DetlabError(`replica ${options.rank} built a model that differs from the main thread's (${mismatch})`, {
      hint: 'The model must be built from its config alone: no state outside the config may change its parameters.',
    });
  }
  // As the runner does for rank 0: what init loads and the broadcast does not carry (a distillation teacher's
  // weights from teacher_ckpt) must be loaded here too. The broadcast state then overwrites the rest each step.
  await (built.initWeights?.() ?? initWeights(built as Module));
  return built;
}

/** Imports a package by name; one that does not resolve from here is skipped (its files are imported anyway). */
async function importIfResolvable(name: string): Promise<void> {
  try {
    await import(name);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw error;
  }
}

interface StepContext {
  variables: tf.Variable[];
  modules: Module[];
  params: tf.Variable[];
  grads: Float32Array;
}

function runStep(replica: TrainableModel, step: ReplicaStep, ctx: StepContext): ReplicaReply {
  const t0 = performance.now();
  readState(ctx.variables, init.layout, init.state);
  const t1 = performance.now();
  step.training.forEach((mode, i) => (ctx.modules[i].training = mode));
  const wanted = ctx.params.filter((_, i) => step.trainable[i]);
  const wantedIndex = ctx.params.map((_, i) => i).filter((i) => step.trainable[i]);
  let named: Array<[string, tf.Scalar]> = [];
  try {
    // The outer tidy frees what tfjs leaves behind when variableGrads throws (as OptimWrapper.backward).
    const { value, grads } = tf.tidy(() =>
      tf.variableGrads(() => {
        named = parseLosses(replica.loss(step.shard));
        for (const [, t] of named) tf.keep(t);
        return named[0][1];
      }, wanted),
    );
    // value is the total loss itself (kept above), disposed with the others below.
    if (!named.some(([, t]) => t === value)) value.dispose();
    const t2 = performance.now();
    const present: number[] = [];
    wanted.forEach((variable, k) => {
      const grad = grads[variable.name];
      if (!grad) return;
      const entry = init.layout.entries[wantedIndex[k]];
      copyValuesInto(grad, ctx.grads, entry.offset);
      present.push(wantedIndex[k]);
    });
    tf.dispose(grads);
    const numbers = readScalars(named.map(([, t]) => t));
    const timings = { load: t1 - t0, compute: t2 - t1, send: performance.now() - t2 };
    return { type: 'result', id: step.id, losses: named.map(([k], i) => [k, numbers[i]]), present, timings };
  } finally {
    for (const t of new Set(named.map(([, t]) => t))) t.dispose();
  }
}
