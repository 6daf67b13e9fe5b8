/**
 * @detlab/distill: Teacher-student algorithms, distillers, recorders and distillation losses (issue 7).
 *
 * Importing this package registers its classes in the root registries of @detlab/core. It has none yet:
 * the issue named above fills it.
 */
export {};
