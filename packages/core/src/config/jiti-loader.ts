/**
 * The jiti instances that load TS and JS config files and `custom_imports` modules at run time, without a
 * build step.
 *
 * `import ... from '@detlab/core'` inside such a module is answered with this very instance of the package
 * (jiti's `virtualModules`) rather than resolved from the module's folder. So a config dumped into a work dir
 * outside any `node_modules` tree still loads, and a plugin's `MODELS.register(...)` lands in the registries
 * the trainer builds from, even where a second copy of the package exists (or, under vitest, where only the
 * TypeScript source does).
 */
import { createJiti, type Jiti } from 'jiti';

/** The package name a config or plugin imports detlab's core from. */
const CORE_PACKAGE = '@detlab/core';

let pluginJiti: Promise<Jiti> | undefined;

/**
 * A fresh jiti for config files: no module cache, so a config edited between two loads in one process (a
 * watch mode, a test) is read again.
 */
export async function configJiti(): Promise<Jiti> {
  return createJiti(import.meta.url, { interopDefault: true, moduleCache: false, virtualModules: await virtualModules() });
}

/**
 * The one jiti for plugin modules, with the module cache on: a plugin registers its classes once per process
 * however many configs import it (a second registration under the same name would throw).
 */
export function pluginJitiInstance(): Promise<Jiti> {
  pluginJiti ??= virtualModules().then((modules) =>
    createJiti(import.meta.url, { interopDefault: true, moduleCache: true, virtualModules: modules }),
  );
  return pluginJiti;
}

async function virtualModules(): Promise<Record<string, unknown>> {
  // Imported when first needed, not at the top: the package entry re-exports this folder.
  const core: unknown = await import('../index.js');
  return { [CORE_PACKAGE]: core };
}
