import { describe, expect, it } from 'vitest';
import { parseScalar } from './parse-scalar.js';

describe('parseScalar', () => {
  it('parses integers, with signs and digit groups', () => {
    expect(parseScalar('50')).toBe(50);
    expect(parseScalar('-3')).toBe(-3);
    expect(parseScalar('1_000')).toBe(1000);
  });

  it('parses floats in decimal and exponent form', () => {
    expect(parseScalar('0.01')).toBe(0.01);
    expect(parseScalar('.5')).toBe(0.5);
    expect(parseScalar('2.')).toBe(2);
    expect(parseScalar('1e-4')).toBe(0.0001);
  });

  it('parses inf and nan as Python float() does', () => {
    expect(parseScalar('inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseScalar('-Infinity')).toBe(Number.NEGATIVE_INFINITY);
    expect(parseScalar('nan')).toBeNaN();
  });

  it('parses true and false in any case', () => {
    expect(parseScalar('true')).toBe(true);
    expect(parseScalar('False')).toBe(false);
    expect(parseScalar('TRUE')).toBe(true);
  });

  it('parses None and null as null', () => {
    expect(parseScalar('None')).toBeNull();
    expect(parseScalar('null')).toBeNull();
  });

  it('keeps anything else as a string', () => {
    expect(parseScalar('SGD')).toBe('SGD');
    expect(parseScalar('0x10')).toBe('0x10');
    expect(parseScalar('none')).toBe('none');
    expect(parseScalar('')).toBe('');
  });
});
