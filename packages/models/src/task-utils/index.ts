/**
 * Task utilities of dense detectors: anchors, IoU, the box coder, the ATSS assigner and NMS.
 *
 * Importing this folder registers `AnchorGenerator`, `BboxOverlaps2D`, `DeltaXYWHBBoxCoder` and `ATSSAssigner`
 * in the TASK_UTILS registry of @detlab/core.
 */
export { AnchorGenerator, type AnchorGeneratorOptions } from './anchor-generator.js';
export { BboxOverlaps2D, bboxOverlaps, type BboxOverlaps2DOptions, type BboxOverlapsOptions, type IouCalculator, type OverlapMode } from './bbox-overlaps.js';
export { DeltaXYWHBBoxCoder, type DeltaXYWHBBoxCoderOptions } from './delta-xywh-bbox-coder.js';
export { ATSSAssigner, ATSS_INF, type ATSSAssignerOptions, type AssignInput, type AssignResult } from './atss-assigner.js';
export { nms, batchedNms, nmsCfgSchema, type NmsCfg } from './nms.js';
