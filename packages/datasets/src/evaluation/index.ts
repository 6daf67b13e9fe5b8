/**
 * COCO evaluation: `CocoMetric` (registered in METRICS), the pycocotools-equivalent `CocoEvaluator` it runs,
 * the COCO JSON types, and the MMEngine metric protocol (`BaseMetric`).
 */
export type { CocoJson, CocoImage, CocoAnnotation, CocoCategory, CocoDetectionResult } from './coco-types.js';
export { allocateDetections, detectionsFromResults, detectionsToResults, type CocoDetections } from './coco-detections.js';
export { cocoEvalParams, type CocoEvalParams } from './coco-params.js';
export { CocoEvaluator, type CocoEvalTimings } from './coco-evaluator.js';
export type { CocoAccumulation } from './coco-accumulate.js';
export { summarizeSlice, type SummarySlice } from './coco-summarize.js';
export { BaseMetric, type BaseMetricOptions, type DatasetMeta } from './base-metric.js';
export { CocoMetric, type CocoMetricResult } from './coco-metric.js';
export { readSample, type CocoMetricSample, type CocoPrediction, type NumbersLike, type ReadSample, type SampleMeta } from './metric-sample.js';
export { cocoMetricSchema, COCO_METRIC_ITEMS, type CocoMetricItem, type CocoMetricOptions, type CocoMetricConfig } from './coco-metric-options.js';
export { gtToCocoJson, type GtInstance, type ImageGroundTruth } from './gt-to-coco.js';
export { asciiTable, classwiseTable, type ClasswiseResult, type ClasswiseRow } from './classwise-table.js';
