/**
 * @detlab/models: ResNet, FPN, ATSSHead, the ATSS detector, data preprocessor, losses and task utils (issues 3, 4).
 *
 * Importing this package registers its classes in the MODELS registry of @detlab/core (`ResNet`, `FPN`).
 */
export * from './backbones/index.js';
export * from './necks/index.js';
