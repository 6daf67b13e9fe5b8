/**
 * @detlab/models: ResNet, FPN, ATSSHead, the ATSS detector, data preprocessor, losses and task utils (issue 4).
 *
 * Importing this package registers its classes in the root registries of @detlab/core. It has none yet:
 * the issue named above fills it.
 */
export {};
