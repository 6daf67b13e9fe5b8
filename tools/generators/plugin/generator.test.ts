import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { normalizeOptions, pluginGenerator } from './generator.js';

describe('nx g @detlab/tools:plugin', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  it('writes a package with peer @detlab/* ranges, its scope, exports to dist and an nx project', async () => {
    await pluginGenerator(tree, { name: 'my-neck' });
    const pkg = readJson(tree, 'packages/plugin-my-neck/package.json');
    expect(pkg.name).toBe('@detlab/plugin-my-neck');
    expect(pkg.nx).toEqual({ name: 'plugin-my-neck' });
    expect(pkg.detlab).toEqual({ scope: 'myneck', core: '^0.1.0' });
    expect(pkg.peerDependencies['@detlab/core']).toBe('^0.1.0');
    expect(pkg.exports['.']).toEqual({ '@detlab/source': './src/index.ts', types: './dist/index.d.ts', import: './dist/index.js' });
    expect(pkg.files).toContain('!dist/**/*.test.*');
    expect(pkg.scripts).toMatchObject({ build: 'tsc -p tsconfig.lib.json', test: 'vitest run' });
    expect(tree.read('packages/plugin-my-neck/src/registry.ts', 'utf8')).toContain("new Registry('model', { parent: MODELS, scope: SCOPE })");
    expect(tree.read('packages/plugin-my-neck/src/channel-scale.ts', 'utf8')).toContain('@MYNECK_MODELS.register(');
    expect(tree.read('packages/plugin-my-neck/src/channel-scale.test.ts', 'utf8')).toContain("type: 'myneck.ChannelScale'");
    expect(readJson(tree, 'packages/plugin-my-neck/tsconfig.json').extends).toBe('../../tsconfig.base.json');
    expect(tree.read('packages/plugin-my-neck/README.md', 'utf8')).toContain('npm publish');
    expect(tree.children('packages/plugin-my-neck').some((f) => f.includes('__tmpl__'))).toBe(false);
  });

  it('takes an npm name, a scope and a folder', async () => {
    await pluginGenerator(tree, { name: 'yolo', importPath: '@acme/detlab-yolo', scope: 'acme', directory: 'libs/yolo' });
    const pkg = readJson(tree, 'libs/yolo/package.json');
    expect(pkg.name).toBe('@acme/detlab-yolo');
    expect(tree.read('libs/yolo/src/registry.ts', 'utf8')).toContain("export const SCOPE = 'acme';");
    expect(readJson(tree, 'libs/yolo/tsconfig.json').extends).toBe('../../tsconfig.base.json');
  });

  it('refuses a folder that is taken, and bad names', async () => {
    await pluginGenerator(tree, { name: 'twice' });
    await expect(pluginGenerator(tree, { name: 'twice' })).rejects.toThrow('packages/plugin-twice already exists and is not empty');
    expect(() => normalizeOptions({ name: 'My_Plugin' })).toThrow("name must be kebab-case (a-z, 0-9, -), got 'My_Plugin'");
    expect(() => normalizeOptions({ name: 'x', scope: 'detlab' })).toThrow("scope must be a lower-case identifier other than 'detlab'");
  });
});
