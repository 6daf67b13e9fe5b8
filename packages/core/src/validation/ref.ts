/**
 * `ref(REGISTRY)`: a zod schema for a config node that a registry builds.
 *
 * The node must carry a `type` the registry resolves; its other keys are then checked against the schema the
 * registered class declared, recursively, so one parse of a whole config reports every problem at once with
 * full config paths (`model.neck.type: 'FNP' is not in the detlab::model registry. Did you mean 'FPN'?`).
 */
import { z, type ZodType } from 'zod';
import { ConfigError } from '../errors.js';
import { withDefaultScope } from '../registry/default-scope.js';
import { type Registry, type RegistryEntry, type Registrable, unknownTypeMessage } from '../registry/registry.js';
import { formatZodIssues, type RelativeIssue } from './format-issues.js';

/** A config node: `type` plus the options of the class it names. */
export type ConfigNode = { type: string | Registrable; _scope_?: string } & Record<string, unknown>;

const registryOfRef = new WeakMap<object, Registry>();

/** The registry a `ref` schema was made for, or undefined for any other schema. */
export function refRegistry(schema: unknown): Registry | undefined {
  return typeof schema === 'object' && schema !== null ? registryOfRef.get(schema) : undefined;
}

/** Schema of a node built from `registry`: its `type` must resolve there and its options must fit. */
export function ref(registry: Registry): ZodType<ConfigNode> {
  const schema = z
    .looseObject({
      type: z.union([z.string(), z.custom<Registrable>((v) => typeof v === 'function', 'expected a class')]),
      _scope_: z.string().optional(),
    })
    .superRefine((node, ctx) => {
      for (const issue of checkNode(registry, node as ConfigNode)) {
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: undefined });
      }
    });
  registryOfRef.set(schema, registry);
  return schema as unknown as ZodType<ConfigNode>;
}

/** `ref`, or a list of them: for keys like `val_evaluator` and `param_scheduler` that take either. */
export function oneOrMany(registry: Registry): ZodType<ConfigNode | ConfigNode[]> {
  const single = ref(registry);
  const many = z.array(single);
  return z.any().superRefine((value, ctx) => {
    const result = (Array.isArray(value) ? many : single).safeParse(value, { reportInput: true });
    if (result.success) return;
    for (const issue of formatZodIssues(result.error.issues, single)) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: undefined });
    }
  }) as unknown as ZodType<ConfigNode | ConfigNode[]>;
}

function checkNode(registry: Registry, node: ConfigNode): RelativeIssue[] {
  const { type, _scope_: scope, ...options } = node;
  return withDefaultScope(scope, () => {
    let entry: RegistryEntry | undefined;
    try {
      entry = typeof type === 'string' ? registry.getEntry(type) : registry.entryFor(type);
    } catch (error) {
      if (error instanceof ConfigError) return [{ path: ['type'], message: error.message }];
      throw error;
    }
    if (!entry) {
      if (typeof type !== 'string') return [];
      return [{ path: ['type'], message: unknownTypeMessage(registry, type, '') }];
    }
    if (!entry.schema) return [];
    const result = entry.schema.safeParse(options, { reportInput: true });
    return result.success ? [] : formatZodIssues(result.error.issues, entry.schema);
  });
}
