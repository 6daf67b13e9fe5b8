/**
 * Registry: maps `type` strings in configs to registered classes, and builds them.
 *
 * Mirrors MMEngine's `Registry` (mmengine/registry/registry.py): scoped keys (`scope.Name`), parent and child
 * registries (one child per plugin scope), `build(cfg, defaults)` where config keys win over defaults, and
 * lazy `locations`. Departures, each for a reason:
 * - An unscoped name that is in neither the default scope nor its ancestors is still found when exactly one
 *   plugin scope registered it, so config-only experiments need no prefix; two plugins registering it make the
 *   name ambiguous, and the error asks for `scope.Name`.
 * - `locations` are imported by the async `loadLocations()` (ES modules load asynchronously), not on `get`.
 * - Scopes `mmdet`, `mmengine` and `mmrazor` resolve to `detlab`, so carried-over configs keep working.
 *
 * @example
 * const MODELS = new Registry('model', { scope: 'detlab' });
 * \@MODELS.register()
 * class FPN { constructor(readonly options: { out_channels: number }) {} }
 * const neck = MODELS.build<FPN>({ type: 'FPN', out_channels: 256 }, { path: 'model.neck' });
 */
import type { ZodType } from 'zod';
import { ConfigError, RegistryError, joinConfigPath } from '../errors.js';
import { callerLocation } from '../utils/caller-location.js';
import { didYouMean } from '../utils/did-you-mean.js';
import { describeValue, isPlainObject } from '../utils/values.js';
import { parseOptions } from '../validation/format-issues.js';
import { getDefaultScope, withDefaultScope } from './default-scope.js';
import { describeEntry } from './describe.js';

/** Anything a registry can hold: a class (built with `new`) or a factory function (called). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Registrable = (abstract new (...args: any[]) => unknown) | ((...args: any[]) => unknown);

/** The scope of detlab's own packages and of the root registries. */
export const DETLAB_SCOPE = 'detlab';

/** Scopes of the reference projects, accepted as `detlab` so their configs carry over unchanged. */
const SCOPE_ALIASES: Readonly<Record<string, string>> = { mmdet: DETLAB_SCOPE, mmengine: DETLAB_SCOPE, mmrazor: DETLAB_SCOPE };

/** Options of `new Registry(...)`. */
export interface RegistryOptions {
  /** The registry this one is a child of; unscoped lookups fall back to it. */
  parent?: Registry;
  /** The scope names this registry's entries answer to (`scope.Name`); `detlab` for root registries. */
  scope?: string;
  /** Modules that register into this registry, imported by `loadLocations()`. */
  locations?: readonly string[];
}

/** Options of `register`. */
export interface RegisterOptions {
  /** The name (default: the class name); a list registers every name, the first being canonical. */
  name?: string | readonly string[];
  /** More names for the same entry. */
  aliases?: readonly string[];
  /** Replace an entry of the same name instead of throwing. */
  force?: boolean;
  /** Schema of the options object the class is built with: validated, and its defaults applied, on build. */
  schema?: ZodType;
  /** One line for `describe` and `list-modules`. */
  description?: string;
}

/** What a registry knows of one registered class. */
export interface RegistryEntry {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly target: Registrable;
  readonly registry: Registry;
  readonly packageName: string;
  readonly file?: string;
  readonly schema?: ZodType;
  readonly description?: string;
}

/** Options of `build`. */
export interface BuildOptions {
  /** Values used where the config has no key of that name (config keys win). */
  defaults?: Readonly<Record<string, unknown>>;
  /** Config path of the node being built (`model.neck`), for error messages. */
  path?: string;
}

type ClassDecoratorLike = (target: Registrable, context?: unknown) => void;

export class Registry {
  readonly name: string;
  readonly scope: string;
  readonly parent?: Registry;
  readonly locations: readonly string[];
  private readonly entries = new Map<string, RegistryEntry>();
  private readonly childRegistries = new Map<string, Registry>();
  private locationsLoaded = false;

  constructor(name: string, options: RegistryOptions = {}) {
    this.name = name;
    this.parent = options.parent;
    this.locations = options.locations ?? [];
    if (options.parent && !options.scope) {
      throw new RegistryError(`A child of the ${options.parent.label} registry needs its own scope`, {
        hint: `Pass one, e.g. new Registry('${name}', { parent, scope: 'myplugin' }).`,
      });
    }
    this.scope = options.scope ?? DETLAB_SCOPE;
    if (this.parent) {
      if (this.parent.childRegistries.has(this.scope)) {
        throw new RegistryError(`Scope '${this.scope}' already exists in the ${this.parent.label} registry`, {
          hint: 'Each plugin registers under a scope of its own; pick another scope name.',
        });
      }
      this.parent.childRegistries.set(this.scope, this);
    }
  }

  /** `scope::name`, as messages print it. */
  get label(): string {
    return `${this.scope}::${this.name}`;
  }

  /** Child registries by scope. */
  get children(): ReadonlyMap<string, Registry> {
    return this.childRegistries;
  }

  /** The top of this registry's tree. */
  get root(): Registry {
    let r: Registry = this;
    while (r.parent) r = r.parent;
    return r;
  }

  /**
   * Registers a class or function.
   *
   * As a decorator: `@MODELS.register()`, `@MODELS.register('Name')`, `@MODELS.register(['Name', 'Alias'])` or
   * `@MODELS.register({ name, aliases, force, schema })`. As a call: `MODELS.register(Cls, options?)`.
   * A name already taken in this registry throws, naming both packages, unless `force` is set.
   */
  register(target: Registrable, options?: RegisterOptions): Registrable;
  register(options?: RegisterOptions | string | readonly string[]): ClassDecoratorLike;
  register(
    first?: Registrable | RegisterOptions | string | readonly string[],
    second?: RegisterOptions,
  ): Registrable | ClassDecoratorLike {
    const location = callerLocation(isRegistryInternal);
    if (typeof first === 'function') {
      this.add(first, second ?? {}, location);
      return first;
    }
    const options: RegisterOptions = typeof first === 'string' || Array.isArray(first) ? { name: first as string | string[] } : ((first ?? {}) as RegisterOptions);
    if (options.force !== undefined && typeof options.force !== 'boolean') {
      throw new RegistryError(`register(): force must be a boolean, got ${describeValue(options.force)}`);
    }
    // Works for legacy (experimentalDecorators) and standard decorators: both pass the class first.
    return (target: Registrable) => {
      this.add(target, options, location);
    };
  }

  /** Removes a name and every alias of its entry; returns whether it was there. For tests and hot reload. */
  unregister(name: string): boolean {
    const entry = this.entries.get(name);
    if (!entry) return false;
    for (const key of [entry.name, ...entry.aliases]) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    }
    return true;
  }

  /** Whether `key` resolves from this registry (same rules as `build`). */
  has(key: string): boolean {
    return this.getEntry(key) !== undefined;
  }

  /** The class or function `key` resolves to, or undefined. */
  get(key: string): Registrable | undefined {
    return this.getEntry(key)?.target;
  }

  /**
   * The entry `key` resolves to, or undefined.
   *
   * `scope.Name` looks in the registry of that scope, then its parents. A bare `Name` looks in the default
   * scope's registry (or this one), then its parents, then in every plugin scope of the tree; a name found in
   * two plugin scopes throws, listing the scoped names to choose from.
   */
  getEntry(key: string): RegistryEntry | undefined {
    const { scope, name } = splitScopedKey(key);
    if (scope !== undefined) {
      const scoped = this.root.findScope(scope);
      return scoped?.lookUpChain(name);
    }
    const defaultScope = getDefaultScope();
    const start = (defaultScope !== undefined ? this.root.findScope(defaultScope) : undefined) ?? this;
    const found = start.lookUpChain(name);
    if (found) return found;
    const candidates = this.root.descendants().flatMap((r) => {
      const entry = r.entries.get(name);
      return entry ? [entry] : [];
    });
    if (candidates.length > 1) {
      const options = candidates.map((e) => `'${e.registry.scope}.${name}' (${e.packageName})`).join(', ');
      throw new ConfigError(`'${name}' is registered in several scopes of the ${this.name} registry: ${options}`, {
        hint: `Write the scoped name, e.g. type: '${candidates[0].registry.scope}.${name}'.`,
      });
    }
    return candidates[0];
  }

  /**
   * The entry for `key`, or a `ConfigError` naming the config path, the registry, its scope and the closest
   * registered names.
   */
  resolve(key: string, path = ''): RegistryEntry {
    let entry: RegistryEntry | undefined;
    try {
      entry = this.getEntry(key);
    } catch (error) {
      if (error instanceof ConfigError && path) {
        throw new ConfigError(`${path}: ${error.message}`, { configPath: path, cause: error });
      }
      throw error;
    }
    if (entry) return entry;
    const { scope } = splitScopedKey(key);
    const knownScope = scope === undefined || this.root.findScope(scope) !== undefined;
    throw new ConfigError(unknownTypeMessage(this, key, path), {
      configPath: path,
      hint: knownScope ? unknownTypeHint(this) : 'Fix the scope, or add the plugin package that defines it to custom_imports.imports.',
    });
  }

  /** The entry registered for this exact class or function, searching the whole tree. */
  entryFor(target: Registrable): RegistryEntry | undefined {
    for (const registry of [this.root, ...this.root.descendants()]) {
      for (const entry of registry.entries.values()) if (entry.target === target) return entry;
    }
    return undefined;
  }

  /**
   * Builds the object a config node describes.
   *
   * `cfg.type` (a registered name or the class itself) picks the class; the other keys, over `defaults`, are its
   * options, checked against the entry's schema when it has one. `_scope_` switches the default scope for this
   * build only. Nested configs are left for the built class to build, as in MMEngine.
   */
  build<T = unknown>(cfg: unknown, options: BuildOptions = {}): T {
    const path = options.path ?? '';
    if (!isPlainObject(cfg)) {
      throw new ConfigError(
        `${path || 'config'}: expected an object with a "type" key to build from the ${this.label} registry, got ${describeValue(cfg)}`,
        { configPath: path },
      );
    }
    const { type, _scope_: scope, ...rest } = { ...options.defaults, ...cfg };
    const typePath = joinConfigPath(path, 'type');
    if (scope !== undefined && typeof scope !== 'string') {
      throw new ConfigError(`${joinConfigPath(path, '_scope_')}: expected a scope name, got ${describeValue(scope)}`);
    }
    return withDefaultScope(scope, () => {
      let target: Registrable;
      let entry: RegistryEntry | undefined;
      if (typeof type === 'string') {
        entry = this.resolve(type, typePath);
        target = entry.target;
      } else if (typeof type === 'function') {
        target = type as Registrable;
        entry = this.entryFor(target);
      } else {
        throw new ConfigError(
          `${typePath}: expected the name of a class registered in the ${this.label} registry, got ${describeValue(type)}`,
          { configPath: typePath },
        );
      }
      const args = entry?.schema ? parseOptions(entry.schema, rest, path) : rest;
      return instantiate(target, args) as T;
    });
  }

  /** The entries registered in this registry itself, sorted by name. */
  list(): RegistryEntry[] {
    return [...new Set(this.entries.values())].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A description of what `key` resolves to: package, file, aliases and options; throws if unknown. */
  describe(key: string): string {
    return describeEntry(this.resolve(key));
  }

  /** The entries of this registry and of every descendant. */
  listAll(): RegistryEntry[] {
    return [this, ...this.descendants()].flatMap((r) => r.list());
  }

  /** The registry of `scope` in this registry's tree (depth-first), or undefined. */
  findScope(scope: string): Registry | undefined {
    const wanted = SCOPE_ALIASES[scope] ?? scope;
    if (this.scope === wanted) return this;
    for (const child of this.childRegistries.values()) {
      const found = child.findScope(wanted);
      if (found) return found;
    }
    return undefined;
  }

  /** Imports this registry's `locations` once, so the modules there register themselves. */
  async loadLocations(): Promise<void> {
    if (this.locationsLoaded) return;
    this.locationsLoaded = true;
    for (const location of this.locations) {
      try {
        await import(location);
      } catch (error) {
        this.locationsLoaded = false;
        throw new RegistryError(`Could not import '${location}', a location of the ${this.label} registry`, {
          hint: `Install it (npm install ${location}) or remove it from the registry's locations.`,
          cause: error,
        });
      }
    }
  }

  /** Every registry below this one, depth-first. */
  descendants(): Registry[] {
    return [...this.childRegistries.values()].flatMap((c) => [c, ...c.descendants()]);
  }

  /** Names visible from this registry: own and ancestors' bare, and every plugin scope's scoped. */
  visibleNames(): string[] {
    const names: string[] = [];
    for (let r: Registry | undefined = this; r; r = r.parent) names.push(...r.entries.keys());
    for (const d of this.root.descendants()) for (const key of d.entries.keys()) names.push(key, `${d.scope}.${key}`);
    return [...new Set(names)];
  }

  private lookUpChain(name: string): RegistryEntry | undefined {
    for (let r: Registry | undefined = this; r; r = r.parent) {
      const entry = r.entries.get(name);
      if (entry) return entry;
    }
    return undefined;
  }

  private add(target: Registrable, options: RegisterOptions, location: { file?: string; packageName: string }): void {
    if (typeof target !== 'function') {
      throw new RegistryError(`register(): expected a class or function, got ${describeValue(target)}`);
    }
    const names = options.name === undefined ? [target.name] : typeof options.name === 'string' ? [options.name] : [...options.name];
    const keys = [...names, ...(options.aliases ?? [])];
    for (const key of keys) {
      if (typeof key !== 'string' || key === '') {
        throw new RegistryError(`register(): names must be non-empty strings, got ${describeValue(key)} in the ${this.label} registry`);
      }
      if (key.includes('.')) {
        throw new RegistryError(`register(): '${key}' contains a dot, which separates scope and name`, {
          hint: 'Register the bare name; the scope comes from the registry.',
        });
      }
    }
    const entry: RegistryEntry = {
      name: keys[0],
      aliases: keys.slice(1),
      target,
      registry: this,
      packageName: location.packageName,
      file: location.file,
      schema: options.schema,
      description: options.description,
    };
    for (const key of keys) {
      const existing = this.entries.get(key);
      // Re-registering the very same class (a module evaluated twice) is harmless.
      if (existing && existing.target !== target && !options.force) {
        throw new RegistryError(
          `'${key}' is already registered in the ${this.label} registry by ${describeOrigin(existing)}; ` +
            `${describeOrigin(entry)} tried to register it again`,
          {
            hint:
              `Register it under your plugin's own scope (new Registry('${this.name}', { parent, scope: 'myplugin' })) ` +
              `and refer to it as 'myplugin.${key}', or pass force: true to replace the existing entry.`,
          },
        );
      }
    }
    for (const key of keys) this.entries.set(key, entry);
  }
}

/** Splits `scope.Name` at the first dot; a key without a dot has no scope. */
export function splitScopedKey(key: string): { scope?: string; name: string } {
  const dot = key.indexOf('.');
  return dot < 0 ? { name: key } : { scope: key.slice(0, dot), name: key.slice(dot + 1) };
}

/** The message of an unknown `type`: where, which registry and scope, and the closest names. */
export function unknownTypeMessage(registry: Registry, key: string, path: string): string {
  const { scope, name } = splitScopedKey(key);
  const where = path ? `${path}: ` : '';
  if (scope !== undefined && !registry.root.findScope(scope)) {
    const scopes = [registry.root, ...registry.root.descendants()].map((r) => r.scope);
    return `${where}'${key}' names scope '${scope}', which no ${registry.name} registry has (known scopes: ${scopes.join(', ')}).`;
  }
  const inScope = getDefaultScope() ?? registry.scope;
  return `${where}'${key}' is not in the ${inScope}::${registry.name} registry.${didYouMean(name, registry.visibleNames())}`;
}

function unknownTypeHint(registry: Registry): string {
  const names = registry.visibleNames().filter((n) => !n.includes('.'));
  const listed = names.length === 0 ? 'nothing is registered there yet' : `registered: ${names.sort().slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''}`;
  return `Check the spelling (${listed}), or add the package that registers it to custom_imports.imports.`;
}

function describeOrigin(entry: RegistryEntry): string {
  return entry.file ? `${entry.packageName} (${entry.file})` : entry.packageName;
}

function instantiate(target: Registrable, args: unknown): unknown {
  const source = Function.prototype.toString.call(target);
  if (/^class[\s{]/.test(source)) return new (target as new (options: unknown) => unknown)(args);
  return (target as (options: unknown) => unknown)(args);
}

const registryFile = /[\\/]registry[\\/]registry\.(?:ts|js)$/;
function isRegistryInternal(file: string): boolean {
  return registryFile.test(file);
}
