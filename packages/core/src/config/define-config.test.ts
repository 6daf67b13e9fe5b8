import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineConfig } from './define-config.js';

describe('defineConfig', () => {
  it('returns the config unchanged, with its literal type', () => {
    const cfg = { _base_: ['./a.ts'], custom_imports: { imports: ['x'] }, model: { type: 'ATSS' } };
    const defined = defineConfig(cfg);
    expect(defined).toBe(cfg);
    expectTypeOf(defined.model.type).toEqualTypeOf<string>();
  });
});
