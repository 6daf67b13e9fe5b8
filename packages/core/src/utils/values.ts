/** Small helpers for plain config data. */

/** Whether `value` is a plain object (`{}` or `Object.create(null)`), not an array, class instance or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A short, readable rendering of a value for error messages: `'abc'`, `42`, `[1, 2]`, `{ a: 1 }`, nothing. */
export function describeValue(value: unknown, maxLength = 60): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return truncate(`'${value}'`, maxLength);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'function' ? `[function ${v.name}]` : v));
    const kind = Array.isArray(value) ? 'list' : isPlainObject(value) ? 'object' : (value.constructor?.name ?? 'object');
    return `${kind} ${truncate(text, maxLength)}`;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
