/**
 * @detlab/datasets: CocoDataset, transforms, samplers, DataLoader, the MNIST-Det maker and CocoMetric (issue 5).
 *
 * Importing this package registers its classes in the root registries of @detlab/core: DATASETS
 * (`CocoDataset`, `MnistDetDataset`), TRANSFORMS (`LoadImageFromFile`, `LoadAnnotations`, `Resize`,
 * `RandomFlip`, `Pad`, `PackDetInputs`, `Compose`) and DATA_SAMPLERS (`DefaultSampler`, `AspectRatioBatchSampler`).
 */
export * from './transforms/index.js';
export * from './datasets/index.js';
export * from './loader/index.js';
export { Rng, hashSeed, sampleRng } from './utils/rng.js';
export { readJsonFile, parseJsonText } from './utils/read-json-file.js';
export * from './evaluation/index.js';
export * from './mnist-det/index.js';
