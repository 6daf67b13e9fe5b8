/**
 * Config validation of the short KD form's top-level keys, registered with core's `registerConfigKey`, so a
 * config such as `configs/distill/atss_kd.ts` is checked, with config paths, before any tensor exists:
 * `kd_loss` must name a MODELS loss whose options fit its schema, and `kd_loss_weight` is a number ≥ 0.
 *
 * @example
 * kd_loss = { type: 'DistillationLoss', temperature: 4 }
 * kd_loss_weight = 0.5
 */
import { MODELS, ref, registerConfigKey } from '@detlab/core';
import { z } from 'zod';

registerConfigKey('kd_loss', () => ref(MODELS).optional());
registerConfigKey('kd_loss_weight', () => z.number().nonnegative().optional());
