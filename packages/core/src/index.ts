/**
 * @detlab/core: registries, configs, validation, dependency injection, logging and errors.
 * No tensors here: every other detlab package builds on this one.
 */
import 'reflect-metadata';

export * from './errors.js';
export { closestMatches, didYouMean } from './utils/did-you-mean.js';
export { describeValue, isPlainObject } from './utils/values.js';
export { callerLocation, packageNameOf, type SourceLocation } from './utils/caller-location.js';
export { startModuleWorker, runModuleSync, resolveModule } from './utils/module-worker.js';

export {
  Registry,
  DETLAB_SCOPE,
  splitScopedKey,
  type Registrable,
  type RegistryOptions,
  type RegisterOptions,
  type RegistryEntry,
  type BuildOptions,
} from './registry/registry.js';
export { getDefaultScope, setDefaultScope, withDefaultScope } from './registry/default-scope.js';
export * from './registry/root-registries.js';

export { ref, oneOrMany, refRegistry, type ConfigNode } from './validation/ref.js';
export { configSchema, registerConfigKey, registerConfigCheck, validateConfig, assertValidConfig, type ConfigCheckContext } from './validation/config-schema.js';
export { configJsonSchema } from './validation/json-schema.js';
export { parseOptions } from './validation/format-issues.js';

export * from './config/index.js';

export { ConsoleLogger, parseLogLevel, type Logger, type LogLevel } from './logging/logger.js';
export { NodeFileAccess, type FileAccess } from './di/file-access.js';
export {
  LOGGER,
  FILE_ACCESS,
  RUN_CONTEXT,
  rootContainer,
  registerDefaultServices,
  createRunContainer,
  type RunContext,
} from './di/container.js';
export { inject, injectable, Lifecycle, type DependencyContainer, type InjectionToken } from 'tsyringe';
