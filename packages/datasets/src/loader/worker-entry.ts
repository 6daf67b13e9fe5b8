/**
 * A DataLoader worker: rebuilds the dataset from its config, then answers batch requests.
 *
 * Importing the package entry registers detlab's datasets and transforms; `imports` adds the modules that
 * register a config's own ones (custom_imports). Each request names indices, seed and epoch; the samples go
 * back with their typed arrays transferred, not copied. Dataset warnings were already logged by the main
 * thread's copy, so this thread's logger only shows errors.
 *
 * Messages in: `{ id, indices, seed, epoch }`. Out: `{ type: 'ready' }`, `{ type: 'init-error', message }`,
 * `{ type: 'result', id, samples }`, `{ type: 'error', id, message, detlab }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ConsoleLogger, DATASETS, DetlabError, LOGGER, rootContainer } from '@detlab/core';
import type { DetDataset } from '../datasets/det-dataset.js';
import '../index.js';
import { transferables } from './collate.js';

/**
 * What a worker is started with.
 *
 * @example
 * const init: WorkerInit = { dataset: dataset.config!, imports: ['my-plugin'] };
 */
export interface WorkerInit {
  dataset: Record<string, unknown>;
  imports: string[];
}

interface Task {
  id: number;
  indices: number[];
  seed: number;
  epoch: number;
}

const port = parentPort!;
const quiet = new ConsoleLogger();
quiet.level = 'error';
rootContainer.register(LOGGER, { useValue: quiet });

let dataset: DetDataset | undefined;
try {
  const init = workerData as WorkerInit;
  for (const specifier of init.imports) await import(specifier);
  dataset = DATASETS.build<DetDataset>(init.dataset, { path: 'dataset' });
  port.postMessage({ type: 'ready' });
} catch (error) {
  port.postMessage({ type: 'init-error', message: (error as Error).message });
}

if (dataset) {
  const ds = dataset;
  port.on('message', (task: Task) => {
    Promise.all(task.indices.map((i) => ds.get(i, { seed: task.seed, epoch: task.epoch }))).then(
      (samples) => port.postMessage({ type: 'result', id: task.id, samples }, transferables(samples)),
      (error: unknown) => {
        const e = error instanceof Error ? error : new Error(String(error));
        port.postMessage({ type: 'error', id: task.id, message: e instanceof DetlabError ? e.message : (e.stack ?? e.message), detlab: e instanceof DetlabError });
      },
    );
  });
}
