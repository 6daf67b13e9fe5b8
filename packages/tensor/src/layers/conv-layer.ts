/**
 * `buildConvLayer(conv_cfg, options)`: MMCV's `build_conv_layer`. A `conv_cfg` of `null` (MMCV's `None`) or
 * `{ type: 'Conv2d' }` gives a plain `Conv2d`; the shape options (channels, kernel, stride, ...) come from the
 * owner, as in MMCV, and keys of `conv_cfg` other than `type` are passed on to the layer.
 *
 * @example
 * buildConvLayer(null, { in_channels: 64, out_channels: 64, kernel_size: 3, padding: 1, bias: false });
 * // in a config: conv_cfg: { type: 'Conv2d' }
 */
import { MODELS } from '@detlab/core';
import { z } from 'zod';
import { Conv2d, type Conv2dOptions } from './conv2d.js';

/**
 * `conv_cfg` as MMDetection configs write it. Only the plain convolution exists here; DCN and friends would
 * add their names to this list when they are written.
 *
 * @example
 * conv_cfg: { type: 'Conv2d' } // or null
 */
export const convCfgSchema = z.looseObject({ type: z.enum(['Conv2d', 'Conv']) }).nullable();

/**
 * `conv_cfg` as configs write it: `null` for the default `Conv2d`.
 *
 * @example
 * const cfg: ConvCfg = { type: 'Conv' };
 */
export type ConvCfg = z.input<typeof convCfgSchema>;

/**
 * Builds the convolution `cfg` names with the owner's shape `options`; `path` is the config path that errors
 * name (`model.backbone.conv_cfg`).
 *
 * @example
 * const conv = buildConvLayer({ type: 'Conv2d' }, { in_channels: 3, out_channels: 64, kernel_size: 7, stride: 2, padding: 3, bias: false });
 */
export function buildConvLayer(cfg: ConvCfg | undefined, options: Conv2dOptions, path = 'conv_cfg'): Conv2d {
  const { type: _type, ...rest } = convCfgSchema.parse(cfg ?? null) ?? { type: 'Conv2d' };
  // Both names the schema allows are Conv2d's; building through MODELS checks the extra keys with their path.
  return MODELS.build<Conv2d>({ ...rest, ...options, type: Conv2d }, { path });
}
