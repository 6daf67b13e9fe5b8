/** Distillation losses, registered in MODELS under MMRazor's names (`mmrazor/models/losses`). */
export { DistillationLoss, distillationLossSchema, type DistillationLossOptions } from './distillation-loss.js';
export { KLDivergence, klDivergenceSchema, type KLDivergenceOptions, type KLReduction } from './kl-divergence.js';
export { MSELoss, mseLossSchema, type MSELossOptions } from './mse-loss.js';
export { L2Loss, l2LossSchema, type L2LossOptions } from './l2-loss.js';
export { ChannelWiseDivergence, channelWiseDivergenceSchema, type ChannelWiseDivergenceOptions } from './channel-wise-divergence.js';
export { stopGradient } from './utils.js';
