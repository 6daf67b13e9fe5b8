import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { loadConfigFile } from './load-file.js';

const chain = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__/chain');
const tmp = mkdtempSync(join(tmpdir(), 'detlab-load-file-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes a file in the temporary folder and returns its path. */
function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

/** The ConfigError `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfigFile', () => {
  it("loads a TS config's default export through jiti, with predefined variables substituted", async () => {
    expect(await loadConfigFile(join(chain, 'runtime.ts'))).toEqual({
      default_scope: 'detlab',
      log_level: 'INFO',
      env_cfg: { backend: 'auto' },
      work_dir: `${chain}/work_dirs/runtime`,
    });
  });

  it('loads JSON and YAML configs and leaves _base_ in place', async () => {
    expect(await loadConfigFile(join(chain, 'schedule.json'))).toMatchObject({ train_cfg: { max_epochs: 12 } });
    const yaml = await loadConfigFile(join(chain, 'model.yaml'));
    expect(yaml._base_).toEqual(['./runtime.ts', './schedule.json']);
    expect(yaml.model).toMatchObject({ backbone: { type: 'ResNet', depth: 50 } });
  });

  it('substitutes environment placeholders in YAML text before parsing, so numbers stay numbers', async () => {
    const file = write('env.yaml', 'batch_size: {{$DETLAB_BS:2}}\nroot: {{ $DETLAB_ROOT:/data }}\n');
    expect(await loadConfigFile(file, { env: { DETLAB_BS: '8' } })).toEqual({ batch_size: 8, root: '/data' });
  });

  it('loads .mjs and .cjs configs', async () => {
    expect(await loadConfigFile(write('m.mjs', 'export default { a: 1 };\n'))).toEqual({ a: 1 });
    expect(await loadConfigFile(write('c.cjs', 'module.exports = { b: [2] };\n'))).toEqual({ b: [2] });
  });

  it('gives a TS config that imports @detlab/core this package, even outside any node_modules tree', async () => {
    const file = write('core.ts', "import { defineConfig } from '@detlab/core';\n\nexport default defineConfig({ a: 1 });\n");
    expect(await loadConfigFile(file)).toEqual({ a: 1 });
  });

  it('reports a JSON syntax error with the file, line and column', async () => {
    const file = write('bad.json', '{\n  "a": 1,\n  "b" 2\n}\n');
    const error = await rejection(loadConfigFile(file));
    expect(error.message).toBe(`Invalid JSON in ${file}:3:7: Unexpected number\n    "b" 2\n        ^`);
    expect(error.file).toBe(file);
  });

  it('reports JSON that ends early at its last line', async () => {
    const file = write('short.json', '{\n  "a": [1,\n');
    expect((await rejection(loadConfigFile(file))).message).toMatch(new RegExp(`^Invalid JSON in ${file}:3:1: Unexpected end of JSON input`));
  });

  it('reports a YAML syntax error with the file, line and column', async () => {
    const file = write('bad.yaml', 'a: 1\na: 2\n');
    expect((await rejection(loadConfigFile(file))).message).toBe(`Invalid YAML in ${file}:2:1: Map keys must be unique\n  a: 1\n  a: 2\n  ^`);
  });

  it('reports a TS syntax error naming the file and keeping the cause', async () => {
    const file = write('syntax.ts', 'export default { a: 1\n');
    const error = await rejection(loadConfigFile(file));
    expect(error.message).toMatch(new RegExp(`^Could not load config ${file}: .*Unexpected token`));
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reports a config module that throws, keeping its error as the cause', async () => {
    const file = write('throws.ts', "throw new Error('no GPU here');\nexport default {};\n");
    const error = await rejection(loadConfigFile(file));
    expect(error.message).toBe(`Could not load config ${file}: no GPU here`);
    expect((error.cause as Error).message).toBe('no GPU here');
  });

  it('rejects a module config without a default export', async () => {
    const file = write('named.ts', 'export const model = {};\n');
    expect((await rejection(loadConfigFile(file))).message).toBe(
      `Config ${file} has no default export\n  Write \`export default defineConfig({ ... })\`.`,
    );
  });

  it('rejects a config whose top level is not an object', async () => {
    const file = write('list.yaml', '- a\n- b\n');
    expect((await rejection(loadConfigFile(file))).message).toBe(
      `${file}: expected an object at the top level of the config, got list ["a","b"]`,
    );
  });

  it('rejects an unsupported extension, listing the supported ones', async () => {
    const file = write('cfg.toml', 'a = 1\n');
    expect((await rejection(loadConfigFile(file))).message).toBe(
      `Cannot load config ${file}: '.toml' is not a config format\n  Use one of .ts, .mts, .js, .mjs, .cjs, .json, .yaml, .yml.`,
    );
  });

  it('names a missing file and the config whose _base_ it is', async () => {
    const missing = join(tmp, 'missing.yaml');
    expect((await rejection(loadConfigFile(missing))).message).toBe(`Config file not found: ${missing}`);
    expect((await rejection(loadConfigFile(missing, { importedBy: '/cfg/child.yaml' }))).message).toBe(
      `Config file not found: ${missing} (a _base_ of /cfg/child.yaml)`,
    );
  });
});
