import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { findConfig } from './find-config.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__/find');
const roots = [root];

describe('findConfig', () => {
  it('uses an existing path as is, made absolute', () => {
    expect(findConfig(join(root, 'atss/atss_r50.yaml'), { roots: [] })).toBe(join(root, 'atss/atss_r50.yaml'));
  });

  it('finds a unique name in a subfolder of a root', () => {
    expect(findConfig('atss_r50', { roots })).toBe(join(root, 'atss/atss_r50.yaml'));
  });

  it('finds a name under _base_', () => {
    expect(findConfig('default_runtime', { roots })).toBe(join(root, '_base_/default_runtime.ts'));
  });

  it('narrows a name by folder or by extension', () => {
    expect(findConfig('distill/atss_kd', { roots })).toBe(join(root, 'distill/atss_kd.yaml'));
    expect(findConfig('atss_kd.ts', { roots })).toBe(join(root, 'atss/atss_kd.ts'));
  });

  it('never takes a sweep file under sweeps/ for a config', () => {
    // fixtures: atss/atss_r50.yaml and sweeps/atss_r50.json
    expect(findConfig('atss_r50', { roots })).toBe(join(root, 'atss/atss_r50.yaml'));
  });

  it('rejects an ambiguous name, listing every match', () => {
    const find = () => findConfig('atss_kd', { roots });
    expect(find).toThrowError(ConfigError);
    expect(find).toThrowError(
      `Config name 'atss_kd' matches 2 files:\n  - ${root}/atss/atss_kd.ts\n  - ${root}/distill/atss_kd.yaml\n` +
        '  Pass the path of the one you mean, or a longer name with its folder (e.g. distill/atss_kd).',
    );
  });

  it('rejects an unknown name, listing the searched roots and the closest names', () => {
    expect(() => findConfig('atss_r05', { roots })).toThrowError(
      `No config named 'atss_r05': searched ${root} for atss_r05.{ts,js,mjs,json,yaml,yml}. Did you mean 'atss_r50'?`,
    );
  });

  it('rejects a missing relative path without searching', () => {
    expect(() => findConfig('./atss_r50.yaml', { roots })).toThrowError(`Config file not found: ${join(process.cwd(), 'atss_r50.yaml')}`);
  });

  describe('in a tree with node_modules', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'detlab-find-config-'));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it('skips node_modules folders', () => {
      mkdirSync(join(tmp, 'node_modules/pkg'), { recursive: true });
      mkdirSync(join(tmp, 'exp'));
      writeFileSync(join(tmp, 'node_modules/pkg/toy.yaml'), 'a: 1\n');
      writeFileSync(join(tmp, 'exp/toy.yaml'), 'a: 2\n');
      expect(findConfig('toy', { roots: [tmp] })).toBe(join(tmp, 'exp/toy.yaml'));
    });
  });
});
