/** Necks: feature pyramids between a backbone and the heads. */
export { FPN, type FPNOptions, type ExtraConvSource } from './fpn.js';
