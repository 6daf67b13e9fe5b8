/**
 * @detlab/models: ResNet, FPN, ATSSHead, the ATSS detector, data preprocessor, losses and task utils (issues 3, 4).
 *
 * Importing this package registers its classes in the MODELS registry of @detlab/core (`ResNet`, `FPN`,
 * `DetDataPreprocessor`, `ATSSHead`, `SingleStageDetector`, `ATSS`, the losses) and in TASK_UTILS (anchors, IoU,
 * box coder, ATSS assigner).
 */
export * from './backbones/index.js';
export * from './necks/index.js';
export * from './data-preprocessors/index.js';
export * from './dense-heads/index.js';
export * from './detectors/index.js';
export * from './losses/index.js';
export * from './task-utils/index.js';
