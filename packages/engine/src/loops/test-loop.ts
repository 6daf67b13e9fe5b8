/**
 * `TestLoop`: one pass over the test dataloader with the model in eval mode, as MMEngine's; `Runner.test()`
 * runs it. Same pass as `ValLoop` (`EvalLoop`), with the test hooks and the test evaluator.
 *
 * @example
 * test_cfg: { type: 'TestLoop' }
 */
import { LOOPS } from '@detlab/core';
import { z } from 'zod';
import { EvalLoop } from './eval-loop.js';
import type { LoopDeps } from './loop-deps.js';

/** Options of `TestLoop` (`test_cfg`): none yet besides `type`. */
export const testLoopSchema = z.strictObject({});

/** Testing; see the file comment. */
@LOOPS.register({ name: 'TestLoop', schema: testLoopSchema, description: 'One pass over the test dataloader with metrics (MMEngine).' })
export class TestLoop extends EvalLoop {
  constructor(_options: z.input<typeof testLoopSchema>, deps: LoopDeps) {
    super('test', deps);
  }
}
