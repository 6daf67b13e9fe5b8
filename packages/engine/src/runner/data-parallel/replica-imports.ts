/**
 * What a data-parallel replica imports before it builds its model, so that every class the model config
 * names is registered in its thread too: for each `type` in the config tree, the package that registered it
 * (its entry registers every class of the package, nested ones a config does not name included) and the file
 * that registered it (for a class its package entry does not export, such as a test fixture). The config's
 * `custom_imports` are imported as the main thread imported them.
 *
 * Computed on the main thread from the registries' records (`RegistryEntry.packageName`, `.file`), so the
 * engine needs no import of @detlab/models or of plugins.
 *
 * @example
 * replicaImports({ type: 'ATSS', backbone: { type: 'ResNet', depth: 18 } });
 * // { packages: ['@detlab/models'], files: ['file:///.../atss.js', 'file:///.../resnet.js'] }
 */
import { ROOT_REGISTRIES, isPlainObject, type Registrable, type RegistryEntry } from '@detlab/core';
import { pathToFileURL } from 'node:url';

/** Packages and module files (file URLs) a replica imports; see the file comment. */
export interface ReplicaImports {
  packages: string[];
  files: string[];
}

/** The imports a replica needs to build the model config `cfg`. */
export function replicaImports(cfg: unknown): ReplicaImports {
  const packages = new Set<string>();
  const files = new Set<string>();
  walk(cfg, (type) => {
    const entry = findEntry(type);
    if (!entry) return;
    if (!entry.packageName.startsWith('<')) packages.add(entry.packageName);
    if (entry.file) files.add(pathToFileURL(entry.file).href);
  });
  return { packages: [...packages], files: [...files] };
}

/** Calls `visit` with every `type` value in the tree. */
function walk(node: unknown, visit: (type: string | Registrable) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (isPlainObject(node)) {
    if (typeof node.type === 'string' || typeof node.type === 'function') visit(node.type as string | Registrable);
    for (const value of Object.values(node)) walk(value, visit);
  }
}

/** The first root registry's entry for `type`; undefined when none knows it (the replica's build will say so). */
function findEntry(type: string | Registrable): RegistryEntry | undefined {
  for (const registry of Object.values(ROOT_REGISTRIES)) {
    try {
      const entry = typeof type === 'string' ? (registry.has(type) ? registry.resolve(type) : undefined) : registry.entryFor(type);
      if (entry) return entry;
    } catch {
      // An ambiguous or malformed name in one registry: another may know it, and the build reports it.
    }
  }
  return undefined;
}
