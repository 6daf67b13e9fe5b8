/**
 * `EpochBasedTrainLoop`: training by epochs, as MMEngine's (mmdet-semantics §3.4).
 *
 * After each epoch it validates when `epoch >= val_begin` and (`epoch % val_interval == 0` or it was the last).
 * A run resumed from a mid-epoch checkpoint (one written on SIGINT/SIGTERM) skips the batches of that epoch it
 * already trained on, which works because the dataloader's order depends only on (seed, epoch).
 *
 * @example
 * train_cfg: { type: 'EpochBasedTrainLoop', max_epochs: 12, val_begin: 1, val_interval: 1 }
 */
import { LOOPS } from '@detlab/core';
import { z } from 'zod';
import type { Runner } from '../runner/runner.js';
import type { Dataloader } from '../runner/dataloader.js';
import type { LoopDeps, TrainLoop } from './loop-deps.js';
import { runTrainIter } from './train-iteration.js';

/** Options of `EpochBasedTrainLoop` (`train_cfg`). */
export const epochBasedTrainLoopSchema = z.strictObject({
  max_epochs: z.int().positive(),
  /** The first epoch after which to validate (1-based, as MMEngine). */
  val_begin: z.int().nonnegative().default(1),
  /** Validate every this many epochs. */
  val_interval: z.int().positive().default(1),
});

/** Options of `EpochBasedTrainLoop`, as configs write them. */
export type EpochBasedTrainLoopOptions = z.input<typeof epochBasedTrainLoopSchema>;

/** Training for `max_epochs` passes over the train dataloader; see the file comment. */
@LOOPS.register({ name: 'EpochBasedTrainLoop', schema: epochBasedTrainLoopSchema, description: 'Trains for max_epochs epochs (MMEngine).' })
export class EpochBasedTrainLoop implements TrainLoop {
  readonly runner: Runner;
  readonly dataloader: Dataloader;
  readonly maxEpochs: number;
  readonly valBegin: number;
  readonly valInterval: number;
  readonly byEpoch = true;
  epoch = 0;
  iter = 0;
  stopTraining = false;

  constructor(options: EpochBasedTrainLoopOptions, deps: LoopDeps) {
    const o = epochBasedTrainLoopSchema.parse(options);
    this.runner = deps.runner;
    this.dataloader = deps.dataloader;
    this.maxEpochs = o.max_epochs;
    this.valBegin = o.val_begin;
    this.valInterval = o.val_interval;
  }

  /** `max_epochs × len(dataloader)`. */
  get maxIters(): number {
    return this.maxEpochs * this.dataloader.length;
  }

  /** The whole of training; returns the model. */
  async run(): Promise<unknown> {
    await this.runner.callHook('beforeTrain');
    while (this.epoch < this.maxEpochs && !this.stopTraining && !this.runner.interruptedBy) {
      await this.runEpoch();
      if (this.runner.interruptedBy) return this.runner.model;
      if (this.shouldValidate()) await this.runner.valLoop?.run();
    }
    await this.runner.callHook('afterTrain');
    return this.runner.model;
  }

  /** One pass over the dataloader; stops after the current iteration when the run is interrupted. */
  async runEpoch(): Promise<void> {
    this.runner.reseed(this.epoch);
    await this.runner.callHook('beforeTrainEpoch');
    this.runner.model.train();
    const alreadyTrained = this.iter - this.epoch * this.dataloader.length;
    if (alreadyTrained > 0) this.runner.logger.info(`Advance dataloader ${alreadyTrained} steps to skip data that has already been trained`);
    let batchIdx = 0;
    for await (const batch of this.dataloader as AsyncIterable<unknown>) {
      if (batchIdx >= alreadyTrained) {
        await runTrainIter(this.runner, batchIdx, batch);
        this.iter += 1;
        if (this.runner.interruptedBy) return;
      }
      batchIdx += 1;
    }
    await this.runner.callHook('afterTrainEpoch');
    this.epoch += 1;
  }

  private shouldValidate(): boolean {
    return this.epoch >= this.valBegin && (this.epoch % this.valInterval === 0 || this.epoch === this.maxEpochs);
  }
}
