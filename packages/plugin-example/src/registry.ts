/**
 * The plugin's own registry: a child of detlab's MODELS under the scope `example`, so configs may name
 * `example.MobileNetV2` (always unambiguous) or `MobileNetV2` (while no other plugin registers that name).
 *
 * @example
 * backbone: { type: 'example.MobileNetV2', widen_factor: 0.25 }
 */
import { MODELS, Registry } from '@detlab/core';

/** The scope every class of this plugin registers under. */
export const EXAMPLE_SCOPE = 'example';

/** MODELS of the `example` scope. */
export const EXAMPLE_MODELS = new Registry('model', { parent: MODELS, scope: EXAMPLE_SCOPE });
