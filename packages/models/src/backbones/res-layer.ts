/**
 * One ResNet stage: `num_blocks` residual blocks, the first of which changes stride and width; mirrors
 * mmdet `ResLayer` (`mmdet/models/layers/res_layer.py`).
 *
 * The first block gets a projection shortcut `downsample` (1×1 conv + norm, children `0` and `1`) when its
 * stride is not 1 or its input width differs from its output width, so the state-dict keys are
 * `layer1.0.downsample.0.weight` and `layer1.0.downsample.1.running_mean`, as in torchvision.
 *
 * @example
 * new ResLayer({ block: Bottleneck, inplanes: 64, planes: 64, num_blocks: 3, stride: 1 }); // ResNet-50 layer1
 */
import { Sequential, buildConvLayer, buildNormLayer, type ConvCfg, type InitCfg, type Layer, type NormCfg } from '@detlab/tensor';

/**
 * Where a Bottleneck puts a stage's stride: on the 3×3 conv (pytorch) or on the first 1×1 conv (caffe).
 *
 * @example
 * { type: 'ResNet', depth: 50, style: 'caffe' }
 */
export type ResNetStyle = 'pytorch' | 'caffe';

/**
 * What a residual block is built from; keys as in mmdet's block constructors.
 *
 * @example
 * new BasicBlock({ inplanes: 64, planes: 128, stride: 2, downsample, norm_cfg: { type: 'BN' } });
 */
export interface ResBlockOptions {
  /** Input channels. */
  inplanes: number;
  /** Width of the block's inner convs; the output has `planes · expansion` channels. */
  planes: number;
  /** Spatial stride of the block (the first block of a stage). */
  stride?: number;
  /** The projection shortcut, when the identity does not fit. */
  downsample?: Sequential;
  style?: ResNetStyle;
  conv_cfg?: ConvCfg;
  norm_cfg?: NormCfg;
  init_cfg?: InitCfg;
}

/**
 * A residual block: BasicBlock or Bottleneck.
 *
 * @example
 * const block: ResBlock = new Bottleneck({ inplanes: 256, planes: 64 }); // block.lastNormName === 'bn3'
 */
export interface ResBlock extends Layer {
  /** The child name of the norm after the block's last conv (`bn2`, `bn3`, `gn3`): `zero_init_residual` zeroes it. */
  readonly lastNormName: string;
}

/**
 * A residual block class: BasicBlock (expansion 1) or Bottleneck (expansion 4).
 *
 * @example
 * const block: ResBlockClass = depth < 50 ? BasicBlock : Bottleneck;
 */
export interface ResBlockClass {
  new (options: ResBlockOptions): ResBlock;
  /** Output channels = planes · expansion. */
  readonly expansion: number;
}

/**
 * Options of `ResLayer`: a block class and count, and what every block is built from.
 *
 * @example
 * const options: ResLayerOptions = { block: BasicBlock, num_blocks: 2, inplanes: 64, planes: 128, stride: 2 };
 */
export interface ResLayerOptions extends Omit<ResBlockOptions, 'downsample'> {
  block: ResBlockClass;
  num_blocks: number;
}

/**
 * A stage of residual blocks named `0`, `1`, ... (see the file comment).
 *
 * @example
 * const layer2 = new ResLayer({ block: Bottleneck, num_blocks: 4, inplanes: 256, planes: 128, stride: 2 });
 */
export class ResLayer extends Sequential {
  /** The blocks, typed (Sequential's iterator yields plain layers). */
  readonly blocks: ResBlock[] = [];

  constructor({ block, num_blocks: numBlocks, inplanes, planes, stride = 1, ...common }: ResLayerOptions) {
    super();
    const outChannels = planes * block.expansion;
    const downsample =
      stride !== 1 || inplanes !== outChannels ? projectionShortcut(inplanes, outChannels, stride, common.conv_cfg, common.norm_cfg) : undefined;
    this.blocks.push(new block({ ...common, inplanes, planes, stride, downsample }));
    for (let i = 1; i < numBlocks; i += 1) this.blocks.push(new block({ ...common, inplanes: outChannels, planes, stride: 1 }));
    for (const b of this.blocks) this.append(b);
  }
}

/** The 1×1 strided conv + norm that brings the identity to the block's output shape. */
function projectionShortcut(inplanes: number, outChannels: number, stride: number, convCfg: ConvCfg | undefined, normCfg: NormCfg | undefined): Sequential {
  const conv = buildConvLayer(convCfg, { in_channels: inplanes, out_channels: outChannels, kernel_size: 1, stride, bias: false });
  return new Sequential([conv, buildNormLayer(normCfg ?? { type: 'BN' }, outChannels).layer]);
}
