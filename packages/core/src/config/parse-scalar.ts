/**
 * The scalar parser shared by `--cfg-options` values and environment placeholders, so `lr=0.01` on the command
 * line and `{{$LR:0.01}}` in a TS config give the same number.
 *
 * Mirrors MMEngine's `DictAction._parse_int_float_bool`: int, then float, then `true`/`false`, then `None`.
 */

const INT = /^[+-]?\d+(?:_\d+)*$/; // Python's int() accepts digit groups such as 1_000
const FLOAT = /^[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:e[+-]?\d+)?$/i;
const NON_FINITE = /^([+-]?)(inf|infinity|nan)$/i; // float('inf'), float('-Infinity'), float('nan')

/**
 * Parses one scalar written as text: an integer, a float, `true`/`false` (any case), `None` or `null` as null,
 * and anything else as the string itself.
 *
 * @example
 * parseScalar('50')    // 50
 * parseScalar('1e-3')  // 0.001
 * parseScalar('FALSE') // false
 * parseScalar('None')  // null
 * parseScalar('SGD')   // 'SGD'
 */
export function parseScalar(text: string): string | number | boolean | null {
  if (INT.test(text)) return Number(text.replaceAll('_', ''));
  if (FLOAT.test(text)) return Number(text);
  const nonFinite = NON_FINITE.exec(text);
  if (nonFinite) {
    if (nonFinite[2].toLowerCase() === 'nan') return Number.NaN;
    return nonFinite[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  // MMEngine knows only Python's `None`; `null` is what JSON and YAML users type.
  if (text === 'None' || text === 'null') return null;
  return text;
}
