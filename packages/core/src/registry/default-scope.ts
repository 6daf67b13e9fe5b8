import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The default scope: the registry scope an unscoped `type` is looked up in first.
 *
 * Mirrors MMEngine's `DefaultScope`: configs set `default_scope` (detlab's own is `detlab`), and a single
 * config node can switch it for its own build with `_scope_`. The override is kept in AsyncLocalStorage so a
 * build that awaits keeps its scope and concurrent builds do not see each other's.
 */
const override = new AsyncLocalStorage<string>();
let globalScope: string | undefined;

/** The scope in force here: the innermost `withDefaultScope`, else the one set by `setDefaultScope`. */
export function getDefaultScope(): string | undefined {
  return override.getStore() ?? globalScope;
}

/** Sets the process-wide default scope (the runner does this from `default_scope`); undefined clears it. */
export function setDefaultScope(scope: string | undefined): void {
  globalScope = scope;
}

/** Runs `fn` with `scope` as the default scope; an undefined scope changes nothing. */
export function withDefaultScope<T>(scope: string | undefined, fn: () => T): T {
  return scope === undefined ? fn() : override.run(scope, fn);
}
