/**
 * The resolved config as text, for the run folder and for checkpoint `meta.cfg`.
 *
 * JSON, since a dumped config must load again without running code. A config made in code may hold classes
 * (`type: ATSS`) or built objects (a dataloader, a hook); those are written as `"<class ATSS>"` /
 * `"<ToyLoader object>"` so the dump never fails, and say what they were.
 *
 * @example
 * configText({ model: { type: 'ATSS' } }); // '{\n  "model": {\n    "type": "ATSS"\n  }\n}\n'
 */
import { isPlainObject } from '@detlab/core';

/** `data` as indented JSON; see the file comment. */
export function configText(data: Record<string, unknown>): string {
  return `${JSON.stringify(data, replacer, 2)}\n`;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'function') return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? `<class ${value.name}>` : `<function ${value.name}>`;
  if (typeof value === 'bigint') return value.toString();
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !isPlainObject(value)) {
    return `<${(value as object).constructor?.name ?? 'Object'} object>`;
  }
  return value;
}
