import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveBasePath, withScope } from './base-path.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const child = join(fixtures, 'packages/pkg_child.yaml');

describe('resolveBasePath', () => {
  it("resolves a relative entry from the config's folder", () => {
    expect(resolveBasePath('../chain/model.yaml', child)).toEqual({ file: join(fixtures, 'chain/model.yaml') });
  });

  it('resolves pkg::path inside the installed package and reads its detlab scope', () => {
    expect(resolveBasePath('detlab-fixture-pkg::configs/model.yaml', child)).toEqual({
      file: join(fixtures, 'node_modules/detlab-fixture-pkg/configs/model.yaml'),
      scope: 'fixture',
    });
  });

  it('finds a scoped package whose exports hide package.json by walking up node_modules folders', () => {
    expect(resolveBasePath('@fixture/esm-only::configs/runtime.yaml', child)).toEqual({
      file: join(fixtures, 'node_modules/@fixture/esm-only/configs/runtime.yaml'),
      scope: undefined,
    });
  });

  it('rejects pkg:: without a path', () => {
    expect(() => resolveBasePath('detlab-fixture-pkg::', child)).toThrowError(
      `_base_ 'detlab-fixture-pkg::' in ${child}: expected PACKAGE::PATH`,
    );
  });
});

describe('withScope', () => {
  it('adds _scope_ to the outermost dicts with a type and no _scope_ (their children inherit it), without changing the input', () => {
    const value = { model: { type: 'A', backbone: { type: 'B' } }, neck: { type: 'C', _scope_: 'x' }, hooks: [{ type: 'H' }], cfg: { nms: { type: 'nms' } }, n: 1 };
    const before = structuredClone(value);
    expect(withScope(value, 's')).toEqual({
      model: { type: 'A', backbone: { type: 'B' }, _scope_: 's' },
      neck: { type: 'C', _scope_: 'x' },
      hooks: [{ type: 'H', _scope_: 's' }],
      cfg: { nms: { type: 'nms', _scope_: 's' } },
      n: 1,
    });
    expect(value).toEqual(before);
  });
});
