/**
 * @detlab/distill: teacher-student distillation (issue 7). Importing this package registers its losses in the
 * MODELS registry of @detlab/core (`DistillationLoss`, `KLDivergence`, `MSELoss`, `L2Loss`,
 * `ChannelWiseDivergence`) and the top-level config keys `kd_loss` and `kd_loss_weight`.
 *
 * @example
 * kd_loss = { type: 'DistillationLoss', temperature: 4 }
 * kd_loss_weight = 0.5
 */
import './config-keys.js';

export * from './losses/index.js';
