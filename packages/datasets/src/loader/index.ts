/**
 * Samplers (registered in DATA_SAMPLERS), batching and the DataLoader.
 */
export { type Sampler, type BatchSamplerLike } from './sampler.js';
export { DefaultSampler, defaultSamplerSchema, type DefaultSamplerOptions } from './default-sampler.js';
export { BatchSampler } from './batch-sampler.js';
export { AspectRatioBatchSampler, aspectRatioBatchSamplerSchema, type AspectRatioBatchSamplerOptions } from './aspect-ratio-batch-sampler.js';
export { collate, transferables } from './collate.js';
export { DataLoader, dataLoaderSchema, type DataLoaderOptions } from './data-loader.js';
