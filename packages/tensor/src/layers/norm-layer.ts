/**
 * `buildNormLayer(norm_cfg, channels)`: MMCV's `build_norm_layer`. A `norm_cfg` such as
 * `{ type: 'BN', requires_grad: true }` or `{ type: 'GN', num_groups: 32 }` names the layer; the channel count
 * comes from the owner. Returns the layer and the name MMDetection gives it (`bn1`, `gn1`), which state-dict
 * keys depend on.
 */
import { MODELS } from '@detlab/core';
import { z } from 'zod';
import type { Layer } from '../module/containers.js';
// Value imports (not type-only), so the layers register before MODELS.build looks them up.
import { BatchNorm2d } from './batch-norm.js';
import { GroupNorm } from './group-norm.js';

/** The classes `norm_cfg` types resolve to, kept referenced so their modules load and register. */
const NORM_CLASSES = { BatchNorm2d, GroupNorm } as const;

/** A norm config as in MMDetection configs. */
export const normCfgSchema = z.looseObject({
  type: z.enum(['BN', 'BN2d', 'BatchNorm2d', 'SyncBN', 'GN', 'GroupNorm']),
  requires_grad: z.boolean().default(true),
});

/** `norm_cfg` as configs write it. */
export type NormCfg = z.input<typeof normCfgSchema>;

/**
 * Builds the norm layer `cfg` names for `channels` channels; `postfix` makes the MMDetection name (`bn` + 1).
 * SyncBN is plain BN here: one process has nothing to synchronise with.
 */
export function buildNormLayer(cfg: NormCfg, channels: number, postfix: string | number = '', path = 'norm_cfg'): { name: string; layer: Layer } {
  const { type, requires_grad: requiresGrad, ...rest } = normCfgSchema.parse(cfg);
  const isGroupNorm = type === 'GN' || type === 'GroupNorm';
  const layer = isGroupNorm
    ? MODELS.build<GroupNorm>({ ...rest, type: NORM_CLASSES.GroupNorm.name, num_channels: channels }, { path })
    : MODELS.build<BatchNorm2d>({ ...rest, type: NORM_CLASSES.BatchNorm2d.name, num_features: channels }, { path });
  layer.requiresGrad(requiresGrad);
  return { name: `${isGroupNorm ? 'gn' : 'bn'}${postfix}`, layer };
}
