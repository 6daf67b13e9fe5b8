/**
 * Datasets (registered in DATASETS) and their contract.
 */
export { type DataInfo, type DataInstance } from './data-info.js';
export { type DetDataset, type SampleContext } from './det-dataset.js';
export { parseCoco, type CocoParseStats, type ParsedCoco, type ParseCocoOptions } from './coco-parse.js';
export { CocoDataset, cocoDatasetSchema, type CocoDatasetOptions, type CocoDatasetStats } from './coco-dataset.js';
