/**
 * @detlab/datasets: CocoDataset, transforms, samplers, DataLoader, the MNIST-Det maker and CocoMetric (issue 5).
 *
 * Importing this package registers its classes in the root registries of @detlab/core. It has none yet:
 * the issue named above fills it.
 */
export {};
