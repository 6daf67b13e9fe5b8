import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineColumn } from './json-error-position.js';

describe('jsonErrorOffset', () => {
  it('returns -1 for valid JSON', () => {
    for (const text of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]} ', '0']) {
      expect(jsonErrorOffset(text)).toBe(-1);
      expect(() => JSON.parse(text)).not.toThrow();
    }
  });

  it('points at the first character that cannot be there', () => {
    expect(jsonErrorOffset('{"a": }')).toBe(6);
    expect(jsonErrorOffset('[1, 2,]')).toBe(6);
    expect(jsonErrorOffset('{"a": 1 "b": 2}')).toBe(8);
    expect(jsonErrorOffset('{"a": tru}')).toBe(9);
    expect(jsonErrorOffset('[1] x')).toBe(4);
    expect(jsonErrorOffset("{'a': 1}")).toBe(1);
  });

  it('reports a premature end at the text length', () => {
    expect(jsonErrorOffset('{"a": [1, 2')).toBe(11);
    expect(jsonErrorOffset('"abc')).toBe(4);
    expect(jsonErrorOffset('')).toBe(0);
  });
});

describe('lineColumn', () => {
  it('counts lines and columns from 1', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab\r\ncd', 5)).toEqual({ line: 2, column: 2 });
  });
});
