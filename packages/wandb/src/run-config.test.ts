import { describe, expect, it } from 'vitest';
import { unwrapConfig, wrapConfig } from './run-config.js';

describe('wrapConfig', () => {
  it('wraps each top-level key as {value}, the form the W&B UI reads, and leaves nested values alone', () => {
    expect(wrapConfig({ lr: 0.01, model: { type: 'ATSS', depth: 18 }, tags: ['a'] })).toEqual({
      lr: { value: 0.01 },
      model: { value: { type: 'ATSS', depth: 18 } },
      tags: { value: ['a'] },
    });
  });

  it('drops undefined values, which JSON could not carry anyway, and round-trips through unwrapConfig', () => {
    const wrapped = wrapConfig({ a: 1, b: undefined, c: null });
    expect(wrapped).toEqual({ a: { value: 1 }, c: { value: null } });
    expect(unwrapConfig(wrapped)).toEqual({ a: 1, c: null });
  });
});
