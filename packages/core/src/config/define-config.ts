/**
 * `defineConfig`: the typed identity function a TS config file wraps its default export in.
 *
 * @example
 * // configs/atss/atss_r50_fpn_1x.ts
 * import { defineConfig } from '@detlab/core';
 *
 * export default defineConfig({
 *   _base_: ['../_base_/datasets/mnist_det.ts', '../_base_/default_runtime.ts'],
 *   optim_wrapper: { optimizer: { lr: 0.01 } },
 * });
 */

/** The keys every config may have that detlab itself reads while loading; any other key is free-form. */
export interface DetlabConfigInput {
  /** Config files this one inherits from, relative to its folder, or `pkg::path` inside an npm package. */
  _base_?: string | string[];
  /** Modules to import before anything is built, so their registrations exist (npm names or paths). */
  custom_imports?: { imports: string[]; allow_failed_imports?: boolean };
  /** The registry scope unscoped `type` names are looked up in first. */
  default_scope?: string;
  [key: string]: unknown;
}

/** Returns `cfg` unchanged; it exists so editors check and complete a TS config's known keys. */
export function defineConfig<T extends DetlabConfigInput>(cfg: T): T {
  return cfg;
}
