/** Backbones: image → multi-scale feature maps. */
export { ResNet, type ResNetOptions, type ResNetDepth } from './resnet.js';
export { ResLayer, type ResLayerOptions, type ResBlock, type ResBlockClass, type ResBlockOptions, type ResNetStyle } from './res-layer.js';
export { BasicBlock } from './basic-block.js';
export { Bottleneck } from './bottleneck.js';
