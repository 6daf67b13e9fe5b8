/**
 * `ValLoop`: one pass over the val dataloader with the model in eval mode, as MMEngine's (mmdet-semantics §3.4).
 *
 * Each batch's predictions go to the evaluator; its metrics go to `afterValEpoch`, where RuntimeInfoHook
 * records them, LoggerHook prints them and CheckpointHook keeps the best. The train loop calls it every
 * `val_interval`; `Runner.val()` runs it alone. The pass itself is `EvalLoop`'s.
 *
 * @example
 * val_cfg: { type: 'ValLoop' }
 */
import { LOOPS } from '@detlab/core';
import { z } from 'zod';
import { EvalLoop } from './eval-loop.js';
import type { LoopDeps } from './loop-deps.js';

/** Options of `ValLoop` (`val_cfg`): none yet besides `type`. */
export const valLoopSchema = z.strictObject({});

/** Validation; see the file comment. */
@LOOPS.register({ name: 'ValLoop', schema: valLoopSchema, description: 'One pass over the val dataloader with metrics (MMEngine).' })
export class ValLoop extends EvalLoop {
  constructor(_options: z.input<typeof valLoopSchema>, deps: LoopDeps) {
    super('val', deps);
  }
}
