/**
 * MNIST-Det, the embedded default dataset: maker, made-once guard and its dataset class.
 */
export { MNIST_SIZE, loadMnistDigits, splitSources, type MnistDigits, type SourceRange } from './mnist-source.js';
export { renderImage, inkBox, iou, type PlacedDigit, type RenderOptions } from './render.js';
export { makeMnistDet, mnistDetOptionsSchema, type MnistDetOptions, type MnistDetSummary } from './make-mnist-det.js';
export { ensureMnistDet, ensureMnistDetSync, readMnistDetMarker, MNIST_DET_MARKER, type EnsureResult } from './ensure-mnist-det.js';
export { MnistDetDataset, mnistDetDatasetSchema, MNIST_DET_ROOT, type MnistDetDatasetOptions } from './mnist-det-dataset.js';
