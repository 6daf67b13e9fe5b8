/**
 * Whether a bigger metric is better: MMEngine's rule inference for `save_best` and early stopping.
 *
 * A key whose name contains one of `GREATER_KEYS` (`mAP`, `acc`, ...) is better when greater; one containing
 * `loss` is better when less; any other key needs an explicit `rule`.
 *
 * @example
 * inferRule('coco/bbox_mAP'); // 'greater'
 * isImprovement('less', 0.3, 0.5); // true
 */
import { ConfigError } from '@detlab/core';

/** Which way a metric improves. */
export type MetricRule = 'greater' | 'less';

/** Substrings of keys that improve upwards (MMEngine's `_default_greater_keys`). */
export const GREATER_KEYS = ['acc', 'top', 'AR@', 'auc', 'precision', 'mAP', 'mDice', 'mIoU', 'mAcc', 'aAcc'] as const;
/** Substrings of keys that improve downwards (MMEngine's `_default_less_keys`). */
export const LESS_KEYS = ['loss'] as const;

/**
 * The rule for `key`: `rule` when given, else inferred from its name (user `greaterKeys`/`lessKeys` first).
 * Throws a `ConfigError` at `path` when it cannot be inferred.
 */
export function inferRule(
  key: string,
  rule?: MetricRule | null,
  extra: { greaterKeys?: readonly string[] | null; lessKeys?: readonly string[] | null } = {},
  path = 'rule',
): MetricRule {
  if (rule) return rule;
  const greater = [...(extra.greaterKeys ?? []), ...GREATER_KEYS];
  const less = [...(extra.lessKeys ?? []), ...LESS_KEYS];
  if (greater.some((k) => key.includes(k))) return 'greater';
  if (less.some((k) => key.includes(k))) return 'less';
  throw new ConfigError(`${path}: cannot tell whether '${key}' is better greater or less`, {
    configPath: path,
    hint: `Set rule: 'greater' or 'less' (names containing ${GREATER_KEYS.join(', ')} are greater; containing loss, less).`,
  });
}

/** Whether `value` beats `best` under `rule` by more than `minDelta` (any value beats an undefined best). */
export function isImprovement(rule: MetricRule, value: number, best: number | undefined, minDelta = 0): boolean {
  if (best === undefined || Number.isNaN(best)) return true;
  return rule === 'greater' ? value - minDelta > best : value + minDelta < best;
}
