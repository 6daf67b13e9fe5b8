/**
 * Runs transforms in order; mirrors mmcv `Compose` (`mmcv/transforms/wrappers.py`).
 *
 * Entries are transform configs (built from TRANSFORMS, errors naming `pipeline.<i>`) or objects with a
 * `transform` method. Each step may be sync or async (image decoding is).
 *
 * @example
 * const pipeline = new Compose([{ type: 'LoadImageFromFile' }, { type: 'LoadAnnotations' }, { type: 'PackDetInputs' }]);
 * const packed = await pipeline.transform({ img_path: 'a.png', instances: [] }, { rng: sampleRng(0, 0, 0) });
 */
import { z } from 'zod';
import { TRANSFORMS, isPlainObject } from '@detlab/core';
import type { Transform, TransformContext, TransformResults } from './transform.js';

/**
 * Options of `Compose` when built from a config.
 *
 * @example
 * { type: 'Compose', transforms: [{ type: 'LoadImageFromFile' }] }
 */
export const composeSchema = z.strictObject({
  transforms: z.array(z.looseObject({ type: z.unknown() })).default([]),
});

/**
 * A transform config or a built transform.
 *
 * @example
 * const steps: TransformLike[] = [{ type: 'Resize', scale: [128, 128], keep_ratio: true }, new PackDetInputs()];
 */
export type TransformLike = Transform | Record<string, unknown>;

/**
 * A pipeline of transforms; see the file comment.
 *
 * @example
 * { type: 'Compose', transforms: [{ type: 'LoadImageFromFile' }, { type: 'PackDetInputs' }] }
 */
@TRANSFORMS.register({ name: 'Compose', schema: composeSchema, description: 'Run transforms in order' })
export class Compose implements Transform {
  readonly transforms: readonly Transform[];

  /**
   * `transforms` as a list, or as `{ transforms }` (the form the registry passes); `path` prefixes build errors.
   */
  constructor(transforms: readonly TransformLike[] | { transforms?: readonly TransformLike[] } = [], path = 'pipeline') {
    const list = Array.isArray(transforms) ? transforms : ((transforms as { transforms?: readonly TransformLike[] }).transforms ?? []);
    this.transforms = list.map((t, i) => (isPlainObject(t) ? TRANSFORMS.build<Transform>(t, { path: `${path}.${i}` }) : (t as Transform)));
  }

  async transform(results: TransformResults, ctx: TransformContext): Promise<TransformResults> {
    let current = results;
    for (const t of this.transforms) current = await t.transform(current, ctx);
    return current;
  }
}
