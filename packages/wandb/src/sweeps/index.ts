/**
 * Sweeps (issue 8): W&B-format sweep configs, the grid/random/bayes search methods (registered in
 * SWEEP_METHODS), hyperband early termination, the sweep folder shared by agents, and the results table/plot.
 */
import './methods/grid-search.js';
import './methods/random-search.js';
import './methods/bayes-search.js';
import './sweep-trial-hook.js';

export { createRng, type Rng } from './rng.js';
export { normalCdf, normalPdf, normalPpf } from './normal.js';
export { DISTRIBUTIONS, makeDistribution, quantize, valueKey, type Distribution, type DistributionName, type ParamSpec, type ParamValue } from './distributions.js';
export { loadSweepConfig, parseSweepConfig, fillParamSpec, sweepFileSchema, type SweepConfig, type RawParamSpec } from './sweep-config.js';
export { GaussianProcess, fitGaussianProcess, expectedImprovement, matern15, cholesky } from './gp.js';
export { buildSweepMethod, type SweepMethod, type Suggestion, type TrialView } from './methods/sweep-method.js';
export { GridSearch, gridPoints, gridValues } from './methods/grid-search.js';
export { RandomSearch } from './methods/random-search.js';
export { BayesSearch, suggestPoint, trainingData } from './methods/bayes-search.js';
export { hyperbandBands, hyperbandStops, hyperbandThresholds, type HyperbandConfig, type HyperbandTrial, type StopDecision } from './hyperband.js';
export { SweepStore, currentOwner, writeAtomic, type SweepMeta } from './sweep-store.js';
export { runAgent, doneReason, trialView, MAX_CONSECUTIVE_FAILURES, type AgentOptions, type AgentSummary, type TrialOutcome } from './agent.js';
export { SweepTrialHook, sweepTrialHookSchema, type SweepTrialHookOptions } from './sweep-trial-hook.js';
export { writeSweepResults, resultsTable, resultsCsv, resultsSvg, RESULT_FILES } from './results.js';
export {
  configPathOf,
  paramsToCfgOptions,
  formatCfgValue,
  resolveMetricKey,
  metricValues,
  bestValue,
  trialName,
  TERMINAL_STATES,
  type TrialRecord,
  type TrialState,
  type MetricPoint,
  type TrialOwner,
} from './trial.js';
