/** Dense (one-stage) heads: per-location classification and box regression over FPN levels. */
export { ATSSHead, atssHeadSchema, type ATSSHeadOptions } from './atss-head.js';
export { atssTargets, centernessTarget, type AtssTargets, type AtssTargetsInput } from './atss-targets.js';
export { atssLossByFeat, type AtssLosses, type AtssLossParts, type LossModule } from './atss-loss.js';
export { predictByFeat, type DenseHeadOutputs, type PredictByFeatOptions } from './predict-by-feat.js';
export { denseTrainCfgSchema, denseTestCfgSchema, type DenseTrainCfg, type DenseTestCfg } from './dense-head-cfg.js';
