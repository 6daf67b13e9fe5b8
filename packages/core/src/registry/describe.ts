/** Human-readable descriptions of registered classes, for `describe` and `trainer:list-modules`. */
import { relative } from 'node:path';
import { z } from 'zod';
import type { RegistryEntry } from './registry.js';

interface PropertySchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  anyOf?: PropertySchema[];
  $ref?: string;
}

/** A multi-line description: name, registry and scope, package, file, aliases and the options with defaults. */
export function describeEntry(entry: RegistryEntry): string {
  const lines = [`${entry.name} (${entry.registry.label})`];
  if (entry.description) lines.push(`  ${entry.description}`);
  lines.push(`  package: ${entry.packageName}`);
  if (entry.file) lines.push(`  file:    ${relative(process.cwd(), entry.file)}`);
  if (entry.aliases.length > 0) lines.push(`  aliases: ${entry.aliases.join(', ')}`);
  if (!entry.schema) {
    lines.push('  options: not declared (no schema)');
    return lines.join('\n');
  }
  const json = z.toJSONSchema(entry.schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, PropertySchema>;
    required?: string[];
  };
  const properties = Object.entries(json.properties ?? {});
  lines.push(properties.length === 0 ? '  options: none' : '  options:');
  const width = Math.max(0, ...properties.map(([k]) => k.length));
  for (const [key, prop] of properties) {
    const required = json.required?.includes(key) ? 'required' : prop.default !== undefined ? `default ${JSON.stringify(prop.default)}` : 'optional';
    const doc = prop.description ? `  ${prop.description}` : '';
    lines.push(`    ${key.padEnd(width)}  ${typeName(prop)}, ${required}${doc}`);
  }
  return lines.join('\n');
}

function typeName(prop: PropertySchema): string {
  if (prop.enum) return `one of ${prop.enum.map((v) => JSON.stringify(v)).join('|')}`;
  if (prop.const !== undefined) return JSON.stringify(prop.const);
  if (prop.anyOf) return prop.anyOf.map(typeName).join(' | ');
  if (prop.$ref) return 'config node';
  if (Array.isArray(prop.type)) return prop.type.join(' | ');
  return prop.type ?? 'any';
}
