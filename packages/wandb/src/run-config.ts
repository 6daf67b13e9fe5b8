/**
 * The run config in the form the W&B UI shows: every top-level key wrapped as `{key: {value}}`.
 *
 * W&B's Python client stores configs that way and the UI reads them that way; `@wandb/sdk` 0.5.1 sends
 * whatever it is given as flat JSON (reference/wandb.md §9.4), so a plain `{lr: 0.01}` would show up empty.
 * Passing the config pre-wrapped makes the server receive the Python-compatible form.
 *
 * @example
 * wrapConfig({ lr: 0.01, model: { type: 'ATSS' } });
 * // { lr: { value: 0.01 }, model: { value: { type: 'ATSS' } } }
 */

/** A config wrapped for W&B: each top-level key holds `{value}`. */
export type WandbConfig = Record<string, { value: unknown }>;

/** Wraps each top-level key of `config` as `{value}`; see the file comment. */
export function wrapConfig(config: Record<string, unknown>): WandbConfig {
  const out: WandbConfig = {};
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined) out[key] = { value };
  }
  return out;
}

/** Undoes `wrapConfig` (for tests and for reading a stored run back). */
export function unwrapConfig(config: WandbConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([key, entry]) => [key, entry.value]));
}
