/** Losses: elementwise loss, weight and reduction as in MMDetection (`mmdet/models/losses`). */
export { FocalLoss, focalLossSchema, type FocalLossOptions } from './focal-loss.js';
export { GIoULoss, gIoULossSchema, type GIoULossOptions } from './giou-loss.js';
export { CrossEntropyLoss, crossEntropyLossSchema, type CrossEntropyLossOptions, type CrossEntropyForwardOptions } from './cross-entropy-loss.js';
export { L1Loss, l1LossSchema, type L1LossOptions } from './l1-loss.js';
export { SmoothL1Loss, smoothL1LossSchema, type SmoothL1LossOptions } from './smooth-l1-loss.js';
export { weightReduceLoss, reduceLoss, FLOAT32_EPS, REDUCTIONS, type Reduction, type LossForwardOptions } from './utils.js';
