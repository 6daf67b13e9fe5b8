/**
 * Hook priorities, as MMEngine's `mmengine/runner/priority.py`: a lower value runs earlier.
 *
 * A priority is written as a number in 0..100 or as a name, case-insensitive (`'VERY_HIGH'`, `'low'`).
 *
 * @example
 * getPriority('VERY_HIGH'); // 10
 * getPriority(55); // 55
 */
import { ConfigError, describeValue } from '@detlab/core';
import { z } from 'zod';

/** The named priorities and their values (MMEngine's `Priority` enum). */
export const PRIORITIES = {
  HIGHEST: 0,
  VERY_HIGH: 10,
  HIGH: 30,
  ABOVE_NORMAL: 40,
  NORMAL: 50,
  BELOW_NORMAL: 60,
  LOW: 70,
  VERY_LOW: 90,
  LOWEST: 100,
} as const;

/** A priority name. */
export type PriorityName = keyof typeof PRIORITIES;

/** A priority as configs and hooks write it: a name (any case) or a number in 0..100. */
export type Priority = PriorityName | Lowercase<PriorityName> | number;

/**
 * The numeric value of `priority`; throws a `ConfigError` naming `path` for a number outside 0..100 or an
 * unknown name.
 */
export function getPriority(priority: Priority | string, path = 'priority'): number {
  if (typeof priority === 'number') {
    if (!Number.isInteger(priority) || priority < 0 || priority > 100) {
      throw new ConfigError(`${path}: priority must be an integer between 0 and 100, got ${describeValue(priority)}`, {
        configPath: path,
      });
    }
    return priority;
  }
  if (typeof priority === 'string') {
    const value = (PRIORITIES as Record<string, number>)[priority.toUpperCase()];
    if (value !== undefined) return value;
  }
  throw new ConfigError(
    `${path}: expected a priority name (${Object.keys(PRIORITIES).join(', ')}) or an integer 0..100, got ${describeValue(priority)}`,
    { configPath: path },
  );
}

/**
 * Schema of the `priority` key every hook config may carry (validated here, applied by the runner).
 *
 * @example
 * z.strictObject({ interval: z.int().default(1), priority: prioritySchema.optional() });
 */
export const prioritySchema = z.union([z.int().min(0).max(100), z.string()]).refine(
  (value) => typeof value === 'number' || value.toUpperCase() in PRIORITIES,
  { message: `expected a priority name (${Object.keys(PRIORITIES).join(', ')}) or an integer 0..100` },
);
