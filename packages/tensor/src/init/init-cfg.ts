/**
 * `init_cfg` schemas: the weight initialisers of MMEngine (`mmengine/model/weight_init.py`) by the same names
 * and keys, so configs carry over: Constant, Normal (with `bias_prob`), Uniform, Xavier, Kaiming, Pretrained.
 *
 * @example
 * init_cfg: { type: 'Normal', layer: 'Conv2d', std: 0.01, override: { type: 'Normal', name: 'atss_cls', std: 0.01, bias_prob: 0.01 } }
 */
import { z } from 'zod';

const layerList = z.union([z.string(), z.array(z.string())]).optional();

const common = {
  /** Class names of the modules to initialise (`Conv2d`, `_BatchNorm`, `GroupNorm`, ...). */
  layer: layerList,
  /** Value for biases; `bias_prob` (Normal/Uniform/...) overrides it with −log((1 − p)/p). */
  bias: z.number().default(0),
  bias_prob: z.number().gt(0).lt(1).optional(),
};

const override = z.lazy(() => z.union([overrideItem, z.array(overrideItem)]));
const overrideItem = z.looseObject({ name: z.string(), type: z.string().optional() });

export const constantInitSchema = z.strictObject({ type: z.literal('Constant'), val: z.number(), ...common, override: override.optional() });
export const normalInitSchema = z.strictObject({
  type: z.literal('Normal'),
  mean: z.number().default(0),
  std: z.number().nonnegative().default(1),
  ...common,
  override: override.optional(),
});
export const uniformInitSchema = z.strictObject({
  type: z.literal('Uniform'),
  a: z.number().default(0),
  b: z.number().default(1),
  ...common,
  override: override.optional(),
});
export const xavierInitSchema = z.strictObject({
  type: z.literal('Xavier'),
  gain: z.number().positive().default(1),
  distribution: z.enum(['normal', 'uniform']).default('normal'),
  ...common,
  override: override.optional(),
});
export const kaimingInitSchema = z.strictObject({
  type: z.literal('Kaiming'),
  a: z.number().default(0),
  mode: z.enum(['fan_in', 'fan_out']).default('fan_out'),
  nonlinearity: z.enum(['relu', 'leaky_relu', 'linear', 'sigmoid', 'tanh']).default('relu'),
  distribution: z.enum(['normal', 'uniform']).default('normal'),
  ...common,
  override: override.optional(),
});
export const pretrainedInitSchema = z.strictObject({
  type: z.literal('Pretrained'),
  /** A safetensors file (convert `.pth` files with tools/convert-pth.py). */
  checkpoint: z.string().min(1),
  /** Load only keys under this prefix, with the prefix removed (`backbone.` out of a detector checkpoint). */
  prefix: z.string().optional(),
  map_location: z.string().optional(),
});

/** One initialiser config. */
export const initCfgItemSchema = z.discriminatedUnion('type', [
  constantInitSchema,
  normalInitSchema,
  uniformInitSchema,
  xavierInitSchema,
  kaimingInitSchema,
  pretrainedInitSchema,
]);

/** `init_cfg` as configs write it: one initialiser or a list. */
export const initCfgSchema = z.union([initCfgItemSchema, z.array(initCfgItemSchema)]);

export type InitCfgItem = z.output<typeof initCfgItemSchema>;
export type InitCfg = z.input<typeof initCfgSchema>;
