/**
 * `SingleConvConnector`: a 1×1 convolution (with an optional norm) that maps a student feature to the teacher's
 * channel count before a feature loss, as MMRazor's (`mmrazor/models/architectures/connectors/base_connector.py`,
 * `convnext_connector.py`). It is trained with the student and saved in checkpoints under `distiller.connectors.`.
 *
 * @example
 * connectors: { fpn_s: { type: 'SingleConvConnector', in_channel: 64, out_channel: 256 } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { ConvModule, Module, normCfgSchema } from '@detlab/tensor';
import { z } from 'zod';

/** Options of `SingleConvConnector` (MMRazor's names). */
export const singleConvConnectorSchema = z.strictObject({
  in_channel: z.int().positive(),
  out_channel: z.int().positive(),
  /** A norm after the conv (e.g. `{type: 'BN'}`); none by default. */
  norm_cfg: normCfgSchema.nullable().default(null),
});

/** Options of `SingleConvConnector`, keys as in configs. */
export type SingleConvConnectorOptions = z.input<typeof singleConvConnectorSchema>;

/** 1×1 conv (+ norm) from `in_channel` to `out_channel`; see the file comment. */
@MODELS.register({ name: 'SingleConvConnector', schema: singleConvConnectorSchema, description: '1x1 conv (+norm) aligning student channels to the teacher (MMRazor).' })
export class SingleConvConnector extends Module {
  readonly conv: ConvModule;

  constructor(options: SingleConvConnectorOptions) {
    super();
    const o = singleConvConnectorSchema.parse(options);
    this.conv = this.registerModule(
      'conv',
      new ConvModule({ in_channels: o.in_channel, out_channels: o.out_channel, kernel_size: 1, norm_cfg: o.norm_cfg, act_cfg: null }),
    );
  }

  /** [N, H, W, in_channel] → [N, H, W, out_channel]; lists map element by element. */
  forward(x: tf.Tensor | readonly tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    if (Array.isArray(x)) return (x as readonly tf.Tensor[]).map((t) => this.conv.forward(t as tf.Tensor4D));
    return this.conv.forward(x as tf.Tensor4D);
  }
}
