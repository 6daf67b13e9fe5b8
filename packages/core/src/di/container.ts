/**
 * Dependency injection: tokens for detlab's services and the per-run child container (tsyringe).
 *
 * Services are resolved by token, never by class, so a plugin replaces one by registering the same token on
 * the root container before a run starts (custom_imports run first):
 *
 * ```ts
 * import { rootContainer, LOGGER } from '@detlab/core';
 * rootContainer.register(LOGGER, { useClass: JsonLinesLogger }, { lifecycle: Lifecycle.ContainerScoped });
 * ```
 *
 * Injected classes name their tokens (`constructor(@inject(LOGGER) logger: Logger)`): vitest and other
 * esbuild-based tools emit no decorator metadata, so tsyringe cannot infer parameter types there.
 */
import 'reflect-metadata';
import { container, Lifecycle, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { ConsoleLogger, type Logger } from '../logging/logger.js';
import { NodeFileAccess, type FileAccess } from './file-access.js';

/** The logger of the current run. */
export const LOGGER: InjectionToken<Logger> = Symbol.for('detlab.Logger');
/** File reads and atomic writes. */
export const FILE_ACCESS: InjectionToken<FileAccess> = Symbol.for('detlab.FileAccess');
/** What a run is about: its resolved config, config file and work dir. */
export const RUN_CONTEXT: InjectionToken<RunContext> = Symbol.for('detlab.RunContext');

/** Facts about the current run, available to every service of its container. */
export interface RunContext {
  /** The resolved config (plain data). */
  config: Record<string, unknown>;
  /** The config file the run was started with, when there is one. */
  configFile?: string;
  /** The run's experiment folder, once known. */
  workDir?: string;
}

/** The process-wide container; plugins register replacement services here. */
export const rootContainer: DependencyContainer = container;

/**
 * Registers detlab's default services on `target` unless a token is already registered there.
 * ContainerScoped: each run container gets its own logger, holding its own log file.
 */
export function registerDefaultServices(target: DependencyContainer = rootContainer): void {
  if (!target.isRegistered(LOGGER)) {
    target.register(LOGGER, { useClass: ConsoleLogger }, { lifecycle: Lifecycle.ContainerScoped });
  }
  if (!target.isRegistered(FILE_ACCESS)) {
    target.register(FILE_ACCESS, { useClass: NodeFileAccess }, { lifecycle: Lifecycle.ContainerScoped });
  }
}

/** A child container for one run, with its `RUN_CONTEXT`; services registered on `parent` are inherited. */
export function createRunContainer(context: RunContext, parent: DependencyContainer = rootContainer): DependencyContainer {
  registerDefaultServices(parent);
  const child = parent.createChildContainer();
  child.register(RUN_CONTEXT, { useValue: context });
  return child;
}
