/**
 * @detlab/plugin-example: a detlab plugin as a third party writes one. Importing it registers, under the scope
 * `example` (a child of detlab's MODELS): `MobileNetV2` (backbone), `PKDLoss` (distillation loss, with MMRazor's
 * `forwardArgs` so `@detlab/distill`'s `ConfigurableDistiller` can feed it), and the layers they need
 * (`DepthwiseConv2d`, `DepthwiseConvModule`, `ReLU6`). It brings no distillation algorithm of its own: its PKD
 * config uses `@detlab/distill`'s `SingleTeacherDistill`. Its configs are under `configs/`, for `_base_:
 * ['@detlab/plugin-example::configs/atss_mnv2_pkd_mnistdet.yaml']`.
 *
 * @example
 * # experiment.yaml
 * custom_imports: { imports: ['@detlab/plugin-example'] }
 * model: { backbone: { type: example.MobileNetV2, widen_factor: 0.5 } }
 */
export { EXAMPLE_SCOPE, EXAMPLE_MODELS } from './registry.js';
export { ReLU6 } from './layers/relu6.js';
export { DepthwiseConv2d, type DepthwiseConv2dOptions } from './layers/depthwise-conv2d.js';
export { DepthwiseConvModule, type DepthwiseConvModuleOptions } from './layers/depthwise-conv-module.js';
export { MobileNetV2, makeDivisible, type MobileNetV2Options } from './backbones/mobilenet-v2.js';
export { PKDLoss, type PKDLossOptions } from './losses/pkd-loss.js';
