/**
 * The worker-side task of `ensureMnistDetSync` (see @detlab/core's `runModuleSync`).
 */
import { ensureMnistDet, type EnsureResult } from './ensure-mnist-det.js';
import type { MnistDetOptions } from './make-mnist-det.js';

/**
 * Runs ensureMnistDet in this worker.
 *
 * @example
 * await run({ root: 'data/mnist_det', options: {} });
 */
export async function run(input: { root: string; options: MnistDetOptions }): Promise<EnsureResult> {
  return ensureMnistDet(input.root, input.options);
}
