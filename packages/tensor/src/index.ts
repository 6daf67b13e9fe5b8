/**
 * @detlab/tensor: TensorFlow.js backends and set-up, kernel fixes, the Module base class, layers, weight init, safetensors checkpoint I/O and tensor-memory accounting (issue 3).
 *
 * Importing this package registers its classes in the root registries of @detlab/core. It has none yet:
 * the issue named above fills it.
 */
export {};
