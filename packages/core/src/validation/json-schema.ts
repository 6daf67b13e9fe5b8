/**
 * JSON Schema of detlab configs, for editor completion and checks in YAML and JSON files.
 *
 * Every `ref(REGISTRY)` becomes a `$ref` to one definition per registry: an `anyOf` with one branch per
 * registered class, whose `type` is that class's names (bare, scoped and aliases) and whose other properties
 * come from the class's schema.
 */
import { z, type ZodType } from 'zod';
import type { Registry, RegistryEntry } from '../registry/registry.js';
import { configSchema } from './config-schema.js';
import { refRegistry } from './ref.js';

type JsonSchema = Record<string, unknown>;

/** The JSON Schema (draft 2020-12) of a whole config with the registries as they are now. */
export function configJsonSchema(): JsonSchema {
  const defs: Record<string, JsonSchema> = {};
  const defName = (registry: Registry) => `${registry.scope}.${registry.name}`.replace(/[^\w.-]+/g, '_');

  const convert = (schema: ZodType): JsonSchema =>
    z.toJSONSchema(schema, {
      io: 'input',
      unrepresentable: 'any',
      override: (ctx) => {
        const registry = refRegistry(ctx.zodSchema);
        if (!registry) return;
        const name = defName(registry);
        if (!(name in defs)) {
          defs[name] = {}; // placeholder first: a class may refer back to its own registry
          defs[name] = registryDefinition(registry);
        }
        for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as JsonSchema)[key];
        Object.assign(ctx.jsonSchema, { $ref: `#/$defs/${name}` });
      },
    }) as JsonSchema;

  const registryDefinition = (registry: Registry): JsonSchema => ({
    description: `A class from the ${registry.label} registry, named by "type".`,
    anyOf: registry.listAll().map((entry) => entryBranch(entry)),
  });

  const entryBranch = (entry: RegistryEntry): JsonSchema => {
    const names = [entry.name, `${entry.registry.scope}.${entry.name}`, ...entry.aliases];
    const typeSchema = { enum: names, description: entry.description ?? `${entry.name} from ${entry.packageName}` };
    if (!entry.schema) return { type: 'object', properties: { type: typeSchema, _scope_: { type: 'string' } }, required: ['type'] };
    const options = convert(entry.schema);
    delete options.$schema;
    const properties = { type: typeSchema, _scope_: { type: 'string' }, ...((options.properties as object | undefined) ?? {}) };
    const required = ['type', ...((options.required as string[] | undefined) ?? [])];
    return { ...options, type: 'object', properties, required };
  };

  const root = convert(configSchema());
  return { ...root, title: 'detlab config', $defs: { ...((root.$defs as object | undefined) ?? {}), ...defs } };
}
