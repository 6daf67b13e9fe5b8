/**
 * Data transforms, each registered in TRANSFORMS under its mmdet name.
 */
export { type Transform, type TransformResults, type TransformContext, type PackedDetInputs, type FlipDirection } from './transform.js';
export { Compose, composeSchema, type TransformLike } from './compose.js';
export { LoadImageFromFile, loadImageFromFileSchema, type LoadImageFromFileOptions } from './load-image-from-file.js';
export { LoadAnnotations, loadAnnotationsSchema, type LoadAnnotationsOptions } from './load-annotations.js';
export { Resize, resizeSchema, rescaleSize, scaleSize, type ResizeOptions } from './resize.js';
export { RandomFlip, randomFlipSchema, flipBoxes, type RandomFlipOptions } from './random-flip.js';
export { Pad, padSchema, padTarget, type PadOptions } from './pad.js';
export { PackDetInputs, packDetInputsSchema, DEFAULT_META_KEYS, type PackDetInputsOptions } from './pack-det-inputs.js';
export { resizeImage, flipImage, padImage, type Pixels, type Interpolation } from './image-ops.js';
