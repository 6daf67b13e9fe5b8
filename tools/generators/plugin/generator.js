// @ts-check
/**
 * `nx g @detlab/tools:plugin <name>`: a detlab plugin package that builds, tests and packs with no edits.
 *
 * It writes `packages/plugin-<name>/` (or `--directory`): package.json (`@detlab/*` as peer dependencies, the
 * supported `@detlab/core` range in `detlab.core`, `exports` with the `@detlab/source` condition, `files`), an
 * nx project (named `plugin-<name>`), `src/registry.ts` (a child of MODELS under the plugin's scope),
 * `src/channel-scale.ts` (an example module registered there) with its test, and a README that ends with how
 * to publish. Plain JavaScript with JSDoc types, so nx loads it on Node 20 without a TypeScript transpiler.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatFiles, generateFiles, joinPathFragments, names, offsetFromRoot } from '@nx/devkit';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * @typedef {object} PluginGeneratorSchema
 * @property {string} name kebab-case plugin name
 * @property {string} [importPath] npm package name
 * @property {string} [scope] registry scope
 * @property {string} [directory] package folder, relative to the workspace root
 */

/**
 * Writes the plugin package into `tree`; throws when the folder is taken.
 * @param {import('@nx/devkit').Tree} tree
 * @param {PluginGeneratorSchema} schema
 */
export async function pluginGenerator(tree, schema) {
  const options = normalizeOptions(schema);
  if (tree.exists(options.directory) && tree.children(options.directory).length > 0) {
    throw new Error(`nx g @detlab/tools:plugin: ${options.directory} already exists and is not empty; pick another name or --directory.`);
  }
  generateFiles(tree, join(here, 'files'), options.directory, {
    ...options,
    offset: offsetFromRoot(options.directory),
    tmpl: '',
  });
  await formatFiles(tree);
  return () => {
    console.log(`Created ${options.importPath} in ${options.directory}. Run \`npm install\` at the root, then \`npx nx test ${options.projectName}\`.`);
  };
}

export default pluginGenerator;

/**
 * Defaults and derived names.
 * @param {PluginGeneratorSchema} schema
 */
export function normalizeOptions(schema) {
  if (!/^[a-z][a-z0-9-]*$/.test(schema.name)) {
    throw new Error(`nx g @detlab/tools:plugin: name must be kebab-case (a-z, 0-9, -), got '${schema.name}'`);
  }
  const scope = schema.scope ?? schema.name.replace(/-/g, '');
  if (!/^[a-z][a-z0-9_]*$/.test(scope) || scope === 'detlab') {
    throw new Error(`nx g @detlab/tools:plugin: scope must be a lower-case identifier other than 'detlab', got '${scope}'`);
  }
  const projectName = `plugin-${schema.name}`;
  return {
    name: schema.name,
    className: names(schema.name).className,
    scope,
    projectName,
    importPath: schema.importPath ?? `@detlab/${projectName}`,
    directory: joinPathFragments(schema.directory ?? `packages/${projectName}`),
    detlabVersion: detlabVersion(),
  };
}

/** The version of the @detlab packages this generator ships with: the plugin is made for them. */
function detlabVersion() {
  return /** @type {{ version: string }} */ (JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8'))).version;
}
