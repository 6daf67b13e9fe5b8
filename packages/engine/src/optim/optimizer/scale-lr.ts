/**
 * `auto_scale_lr`: the linear scaling rule (Goyal et al., 2017), lr × (total batch size / base_batch_size);
 * mirrors MMEngine's `Runner.scale_lr`.
 *
 * Call it after building the optim wrapper and before building the schedulers: they record each group's
 * initial lr. Departure: MMEngine leaves the base-lr pseudo-group unscaled (so the logged `base_lr` is the
 * config's); detlab scales it too, so the logged value is the one in use.
 *
 * @example
 * auto_scale_lr = { enable: true, base_batch_size: 16 } // 2 GPUs × 4 images: lr × 0.5
 */
import { DetlabError, parseOptions, type Logger } from '@detlab/core';
import { z } from 'zod';
import { hyperNumber, type ParamGroupsOwner } from './param-group.js';

/**
 * Schema of the top-level `auto_scale_lr` key.
 *
 * @example
 * autoScaleLrSchema.parse({ enable: true, base_batch_size: 16 });
 */
export const autoScaleLrSchema = z
  .strictObject({
    enable: z.boolean().default(false),
    /** Total batch size (all devices) the config's lr was tuned for. */
    base_batch_size: z.int().positive().optional(),
  })
  .superRefine((o, ctx) => {
    if (o.enable && o.base_batch_size === undefined) {
      ctx.addIssue({ code: 'custom', path: ['base_batch_size'], message: 'required when enable is true (the batch size the lr was tuned for, e.g. 16)' });
    }
  });

/**
 * `auto_scale_lr` as written in configs.
 *
 * @example
 * const cfg: AutoScaleLrCfg = { enable: true, base_batch_size: 16 };
 */
export type AutoScaleLrCfg = z.input<typeof autoScaleLrSchema>;

/**
 * Multiplies every group's lr by (batchSize × worldSize) / base_batch_size when `cfg.enable`; returns the
 * ratio, or undefined when disabled or absent.
 *
 * @example
 * scaleLr(optimWrapper, cfg.auto_scale_lr, { batchSize: cfg.train_dataloader.batch_size, logger });
 */
export function scaleLr(
  target: ParamGroupsOwner,
  cfg: AutoScaleLrCfg | null | undefined,
  { batchSize, worldSize = 1, logger }: { batchSize: number; worldSize?: number; logger?: Logger },
): number | undefined {
  if (!cfg) return undefined;
  const o = parseOptions(autoScaleLrSchema, cfg, 'auto_scale_lr') as z.output<typeof autoScaleLrSchema>;
  if (!o.enable) return undefined;
  const groups = target.paramGroups;
  if (groups.some((g) => 'initial_lr' in g.hyper)) {
    throw new DetlabError('auto_scale_lr: the parameter schedulers are already built and recorded the unscaled lr', {
      hint: 'Call scaleLr before buildSchedulers.',
    });
  }
  const total = batchSize * worldSize;
  const ratio = total / (o.base_batch_size as number);
  logger?.info(`LR is set based on batch size of ${o.base_batch_size} and the current batch size is ${total}. Scaling the original LR by ${ratio}.`);
  for (const { hyper } of groups) hyper.lr = hyperNumber(hyper, 'lr') * ratio;
  return ratio;
}
