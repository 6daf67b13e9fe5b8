import { describe, expect, it } from 'vitest';
import { clonePlainData } from './plain-data.js';

describe('clonePlainData', () => {
  it('copies nested objects and lists deeply', () => {
    const value = { a: [1, { b: 'x' }], c: null, d: true };
    const copy = clonePlainData(value) as typeof value;
    expect(copy).toEqual(value);
    expect(copy.a).not.toBe(value.a);
    expect(copy.a[1]).not.toBe(value.a[1]);
  });

  it('rejects undefined with the path, the file and a hint to use null', () => {
    expect(() => clonePlainData({ load_from: undefined }, { file: '/cfg.ts' })).toThrowError(
      'load_from in /cfg.ts: expected plain data (an object, list, string, number, boolean or null), got nothing\n  Use null for "no value", or leave the key out.',
    );
  });

  it('rejects class instances such as Date', () => {
    expect(() => clonePlainData({ when: [new Date(0)] })).toThrowError(/^when\.0: expected plain data .*got Date/);
  });

  it('rejects a __proto__ key', () => {
    expect(() => clonePlainData(JSON.parse('{"a": {"__proto__": {"x": 1}}}'))).toThrowError("a.__proto__: '__proto__' cannot be a config key");
  });

  it('drops _delete_ keys at every depth with stripDelete', () => {
    expect(clonePlainData({ _delete_: true, a: { _delete_: false, b: 1 } }, { stripDelete: true })).toEqual({ a: { b: 1 } });
  });
});
