/**
 * @detlab/engine: Runner, loops, hooks, optimizers and OptimWrapper, LR schedulers, MessageHub, checkpoints and LoggerHook (issue 6).
 *
 * Importing this package registers its classes in the root registries of @detlab/core. It has none yet:
 * the issue named above fills it.
 */
export {};

export * from './optim/index.js';
