import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { MODELS } from '../registry/root-registries.js';
import { coreVersion, importCustomModules } from './custom-imports.js';

const plugins = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__/plugins');
const configFile = join(plugins, 'with-plugins.yaml');
const counters = globalThis as {
  __detlabFixtureEsmOnly?: number;
  __detlabFixtureLocalPlugin?: number;
  __detlabFixtureConcurrentPlugin?: number;
};

/** The ConfigError `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('importCustomModules', () => {
  it('imports an ESM-only npm package and a TS module by path, once each however often asked', async () => {
    const cfg = { custom_imports: { imports: ['@fixture/esm-only', './local-plugin.ts'] } };
    expect(await importCustomModules(cfg, { configFile })).toEqual(['@fixture/esm-only', './local-plugin.ts']);
    expect(await importCustomModules(cfg, { configFile })).toEqual(['@fixture/esm-only', './local-plugin.ts']);
    expect(counters.__detlabFixtureEsmOnly).toBe(1);
    expect(counters.__detlabFixtureLocalPlugin).toBe(1);
  });

  it('evaluates a TS module once when two configs import it at the same time', async () => {
    const cfg = { custom_imports: { imports: ['./concurrent-plugin.ts'] } };
    await Promise.all([importCustomModules(cfg, { configFile }), importCustomModules(cfg, { configFile })]);
    expect(counters.__detlabFixtureConcurrentPlugin).toBe(1);
  });

  it('does nothing without custom_imports', async () => {
    expect(await importCustomModules({ model: {} })).toEqual([]);
  });

  it('rejects a bad shape with the path custom_imports.imports', async () => {
    const error = await rejection(importCustomModules({ custom_imports: { imports: [1] } }, { configFile }));
    expect(error.message).toBe(
      `custom_imports.imports in ${configFile}: expected a list of npm package names or module paths, got list [1]\n` +
        "  Write custom_imports: { imports: ['my-plugin', './my-module.ts'] }.",
    );
    expect(error.configPath).toBe('custom_imports.imports');
  });

  it('names a missing package, the config file and npm install', async () => {
    const error = await rejection(importCustomModules({ custom_imports: { imports: ['detlab-no-such-plugin'] } }, { configFile }));
    expect(error.message).toBe(
      `Cannot find package 'detlab-no-such-plugin' (custom_imports of ${configFile}); looked from ${plugins} and ${process.cwd()}\n` +
        '  Run `npm install detlab-no-such-plugin`, or fix the name.',
    );
  });

  it('names a missing module path and the config file', async () => {
    expect((await rejection(importCustomModules({ custom_imports: { imports: ['./gone.ts'] } }, { configFile }))).message).toBe(
      `Cannot import './gone.ts' (custom_imports of ${configFile}): ${plugins}/gone.ts does not exist`,
    );
  });

  it('wraps an error thrown while importing a module, keeping the cause', async () => {
    const error = await rejection(importCustomModules({ custom_imports: { imports: ['./throwing-plugin.ts'] } }, { configFile }));
    expect(error.message).toBe(`Importing './throwing-plugin.ts' (custom_imports of ${configFile}) failed: plugin exploded while registering`);
    expect((error.cause as Error).message).toBe('plugin exploded while registering');
  });

  it('warns and goes on with allow_failed_imports', async () => {
    const warnings: string[] = [];
    const cfg = { custom_imports: { imports: ['detlab-no-such-plugin', './local-plugin.ts'], allow_failed_imports: true } };
    expect(await importCustomModules(cfg, { configFile, warn: (m) => warnings.push(m) })).toEqual(['./local-plugin.ts']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("Cannot find package 'detlab-no-such-plugin'");
    expect(warnings[0]).toContain('Skipped, because allow_failed_imports is true.');
  });

  it('refuses a plugin whose peerDependencies range excludes the running core, naming both versions, before running it', async () => {
    const error = await rejection(importCustomModules({ custom_imports: { imports: ['@fixture/needs-core-9'] } }, { configFile }));
    const manifest = join(plugins, '../node_modules/@fixture/needs-core-9/package.json');
    expect(error.message).toBe(
      `Plugin @fixture/needs-core-9@2.3.4 (custom_imports of ${configFile}) supports @detlab/core ^9.0.0, but the running @detlab/core is ${coreVersion()} (range declared in ${manifest})\n` +
        `  Install a version of @fixture/needs-core-9 made for @detlab/core ${coreVersion()}, or @detlab/core in ^9.0.0.`,
    );
    expect(error.configPath).toBe('custom_imports.imports');
    expect((globalThis as { __detlabFixtureNeedsCore9?: number }).__detlabFixtureNeedsCore9).toBeUndefined();
  });

  it('reads the detlab.core field before peerDependencies', async () => {
    const error = await rejection(importCustomModules({ custom_imports: { imports: ['@fixture/core-field'] } }, { configFile }));
    expect(error.message).toContain(`supports @detlab/core <0.1.0, but the running @detlab/core is ${coreVersion()}`);
  });

  it('reports the version mismatch even with allow_failed_imports, as a warning', async () => {
    const warnings: string[] = [];
    const cfg = { custom_imports: { imports: ['@fixture/needs-core-9'], allow_failed_imports: true } };
    expect(await importCustomModules(cfg, { configFile, warn: (m) => warnings.push(m) })).toEqual([]);
    expect(warnings[0]).toContain('supports @detlab/core ^9.0.0');
  });

  it('loads two plugins that register the same name; the bare name then asks for scope.Name', async () => {
    const cfg = { custom_imports: { imports: ['@fixture/twin-a', '@fixture/twin-b'] } };
    try {
      expect(await importCustomModules(cfg, { configFile })).toEqual(['@fixture/twin-a', '@fixture/twin-b']);
      expect(() => MODELS.build({ type: 'TwinNeck' }, { path: 'model.neck' })).toThrow(
        "model.neck.type: 'TwinNeck' is registered in several scopes of the model registry: 'twina.TwinNeck' (@fixture/twin-a), 'twinb.TwinNeck' (@fixture/twin-b)\n" +
          "  Write the scoped name, e.g. type: 'twina.TwinNeck'.",
      );
      const built = MODELS.build<{ constructor: { name: string } }>({ type: 'twinb.TwinNeck' }, { path: 'model.neck' });
      expect(MODELS.entryFor(built.constructor as never)?.registry.scope).toBe('twinb');
    } finally {
      MODELS.findScope('twina')?.unregister('TwinNeck');
      MODELS.findScope('twinb')?.unregister('TwinNeck');
    }
  });
});
