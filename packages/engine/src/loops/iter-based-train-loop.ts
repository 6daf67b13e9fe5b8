/**
 * `IterBasedTrainLoop`: training by iterations, as MMEngine's (mmdet-semantics §3.4).
 *
 * The dataloader is read endlessly: when an epoch of it ends, the next starts (after `setEpoch`, which a
 * seeded sampler needs to shuffle anew). `beforeTrainEpoch`/`afterTrainEpoch` run once, around all iterations.
 * It validates when `iter % val_interval == 0` or at the last iteration, from `val_begin` on. A resumed run
 * skips the batches it already trained on.
 *
 * @example
 * train_cfg: { type: 'IterBasedTrainLoop', max_iters: 90000, val_interval: 5000 }
 */
import { DetlabError, LOOPS } from '@detlab/core';
import { z } from 'zod';
import type { Runner } from '../runner/runner.js';
import type { Dataloader } from '../runner/dataloader.js';
import type { LoopDeps, TrainLoop } from './loop-deps.js';
import { runTrainIter } from './train-iteration.js';

/** Options of `IterBasedTrainLoop` (`train_cfg`). */
export const iterBasedTrainLoopSchema = z.strictObject({
  max_iters: z.int().positive(),
  val_begin: z.int().nonnegative().default(1),
  val_interval: z.int().positive().default(1000),
});

/** Options of `IterBasedTrainLoop`, as configs write them. */
export type IterBasedTrainLoopOptions = z.input<typeof iterBasedTrainLoopSchema>;

/** Training for `max_iters` iterations; see the file comment. */
@LOOPS.register({ name: 'IterBasedTrainLoop', schema: iterBasedTrainLoopSchema, description: 'Trains for max_iters iterations (MMEngine).' })
export class IterBasedTrainLoop implements TrainLoop {
  readonly runner: Runner;
  readonly dataloader: Dataloader;
  readonly maxIters: number;
  readonly valBegin: number;
  readonly valInterval: number;
  readonly byEpoch = false;
  /** Passes over the dataloader started so far, minus one (the sampler's epoch). */
  epoch = 0;
  iter = 0;
  stopTraining = false;
  private batches: AsyncIterator<unknown> | undefined;

  constructor(options: IterBasedTrainLoopOptions, deps: LoopDeps) {
    const o = iterBasedTrainLoopSchema.parse(options);
    this.runner = deps.runner;
    this.dataloader = deps.dataloader;
    this.maxIters = o.max_iters;
    this.valBegin = o.val_begin;
    this.valInterval = o.val_interval;
  }

  /** One "epoch": the whole run. */
  get maxEpochs(): number {
    return 1;
  }

  /** The whole of training; returns the model. */
  async run(): Promise<unknown> {
    await this.runner.callHook('beforeTrain');
    this.runner.reseed(0);
    await this.runner.callHook('beforeTrainEpoch');
    if (this.iter > 0) this.runner.logger.info(`Advance dataloader ${this.iter} steps to skip data that has already been trained`);
    for (let i = 0; i < this.iter; i++) await this.nextBatch();
    while (this.iter < this.maxIters && !this.stopTraining && !this.runner.interruptedBy) {
      this.runner.model.train();
      const batch = await this.nextBatch();
      await runTrainIter(this.runner, this.iter, batch);
      this.iter += 1;
      if (this.runner.interruptedBy) return this.runner.model;
      if (this.shouldValidate()) await this.runner.valLoop?.run();
    }
    await this.runner.callHook('afterTrainEpoch');
    await this.runner.callHook('afterTrain');
    return this.runner.model;
  }

  /** The next batch, starting a new pass over the dataloader when one ends. */
  private async nextBatch(): Promise<unknown> {
    for (let attempt = 0; attempt < 2; attempt++) {
      this.batches ??= iterate(this.dataloader);
      const next = await this.batches.next();
      if (!next.done) return next.value;
      this.batches = undefined;
      this.epoch += 1;
      this.dataloader.setEpoch?.(this.epoch);
      this.dataloader.sampler?.setEpoch?.(this.epoch);
    }
    throw new DetlabError(`IterBasedTrainLoop: the train dataloader yields no batches (its length is ${this.dataloader.length})`, {
      hint: 'Check train_dataloader.dataset: its filters may have removed every sample.',
    });
  }

  private shouldValidate(): boolean {
    return this.iter >= this.valBegin && (this.iter % this.valInterval === 0 || this.iter === this.maxIters);
  }
}

/** An async iterator over one pass of `loader`, sync or async. */
function iterate(loader: Dataloader): AsyncIterator<unknown> {
  return (async function* () {
    yield* loader as AsyncIterable<unknown>;
  })();
}
