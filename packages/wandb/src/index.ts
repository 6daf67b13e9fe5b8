/**
 * @detlab/wandb: The W&B vis backend over @wandb/sdk, sweep methods, early termination and agents (issue 8).
 *
 * Importing this package registers its classes in the root registries of @detlab/core. It has none yet:
 * the issue named above fills it.
 */
export {};
