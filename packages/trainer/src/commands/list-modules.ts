/** `list-modules` and `describe-module`: what the registries hold, with the package of each entry. */
import { ConfigError, ROOT_REGISTRIES, didYouMean, type Registry } from '@detlab/core';
import type { CliOptions } from '../args.js';
import { loadRunConfig } from '../load-run-config.js';
import type { CommandIO } from './io.js';

/**
 * Prints every registry (or `--registry NAME`) with its modules: name, scope and package. With `--config`, the
 * config's `custom_imports` are imported first, so plugin modules are listed too.
 */
export async function listModules(options: CliOptions, io: CommandIO): Promise<void> {
  if (options.config) await loadRunConfig({ config: options.config, validate: false, logger: io.logger });
  const registries = selectRegistries(options.registry);
  const lines: string[] = [];
  for (const registry of registries) {
    const entries = registry.listAll();
    lines.push(`${registry.name} (${entries.length})`);
    const width = Math.max(0, ...entries.map((e) => qualified(e.registry.scope, e.name).length));
    for (const entry of entries) {
      const aliases = entry.aliases.length > 0 ? `  aliases: ${entry.aliases.join(', ')}` : '';
      lines.push(`  ${qualified(entry.registry.scope, entry.name).padEnd(width)}  ${entry.packageName}${aliases}`);
    }
  }
  io.stdout(`${lines.join('\n')}\n`);
}

/** Prints the description of one module: `describe-module NAME [--registry model] [--config C]`. */
export async function describeModule(options: CliOptions, name: string | undefined, io: CommandIO): Promise<void> {
  if (options.config) await loadRunConfig({ config: options.config, validate: false, logger: io.logger });
  if (!name) throw new ConfigError('describe-module needs a module name', { hint: 'e.g. describe-module ResNet --registry model' });
  const found = selectRegistries(options.registry).filter((r) => r.has(name));
  if (found.length === 0) {
    const all = Object.values(ROOT_REGISTRIES).flatMap((r) => r.visibleNames());
    throw new ConfigError(`No registry holds '${name}'.${didYouMean(name, all)}`, { hint: 'Run list-modules to see every module.' });
  }
  io.stdout(`${found.map((r) => r.describe(name)).join('\n\n')}\n`);
}

function selectRegistries(name: string | undefined): Registry[] {
  const all = Object.values(ROOT_REGISTRIES);
  if (name === undefined) return all;
  const registry = all.find((r) => r.name === name) ?? ROOT_REGISTRIES[name.toUpperCase()];
  if (!registry) {
    const names = all.map((r) => r.name);
    throw new ConfigError(`--registry: no registry is named '${name}'.${didYouMean(name, names)}`, { hint: `Registries: ${names.join(', ')}.` });
  }
  return [registry];
}

function qualified(scope: string, name: string): string {
  return `${scope}.${name}`;
}
