/**
 * The root registries: one per kind of buildable thing, as MMEngine's `mmengine/registry/root.py`.
 *
 * detlab's own packages register straight into these (scope `detlab`); a plugin makes a child per registry it
 * uses, under its own scope: `new Registry('model', { parent: MODELS, scope: 'myplugin' })`.
 */
import { Registry } from './registry.js';

export const RUNNERS = new Registry('runner');
export const RUNNER_CONSTRUCTORS = new Registry('runner constructor');
export const LOOPS = new Registry('loop');
export const HOOKS = new Registry('hook');
export const STRATEGIES = new Registry('strategy');
export const DATASETS = new Registry('dataset');
export const DATA_SAMPLERS = new Registry('data sampler');
export const TRANSFORMS = new Registry('transform');
export const MODELS = new Registry('model');
export const MODEL_WRAPPERS = new Registry('model_wrapper');
export const WEIGHT_INITIALIZERS = new Registry('weight initializer');
export const OPTIMIZERS = new Registry('optimizer');
export const OPTIM_WRAPPERS = new Registry('optim_wrapper');
export const OPTIM_WRAPPER_CONSTRUCTORS = new Registry('optimizer wrapper constructor');
export const PARAM_SCHEDULERS = new Registry('parameter scheduler');
export const METRICS = new Registry('metric');
export const EVALUATORS = new Registry('evaluator');
export const TASK_UTILS = new Registry('task util');
export const VISUALIZERS = new Registry('visualizer');
export const VISBACKENDS = new Registry('vis_backend');
export const LOG_PROCESSORS = new Registry('log_processor');
export const INFERENCERS = new Registry('inferencer');
export const FUNCTIONS = new Registry('function');
/** detlab's addition: sweep search methods (grid, random, bayes) and early-termination rules. */
export const SWEEP_METHODS = new Registry('sweep method');

/** Every root registry by its constant's name, in a stable order, for listings. */
export const ROOT_REGISTRIES: Readonly<Record<string, Registry>> = {
  RUNNERS,
  RUNNER_CONSTRUCTORS,
  LOOPS,
  HOOKS,
  STRATEGIES,
  DATASETS,
  DATA_SAMPLERS,
  TRANSFORMS,
  MODELS,
  MODEL_WRAPPERS,
  WEIGHT_INITIALIZERS,
  OPTIMIZERS,
  OPTIM_WRAPPERS,
  OPTIM_WRAPPER_CONSTRUCTORS,
  PARAM_SCHEDULERS,
  METRICS,
  EVALUATORS,
  TASK_UTILS,
  VISUALIZERS,
  VISBACKENDS,
  LOG_PROCESSORS,
  INFERENCERS,
  FUNCTIONS,
  SWEEP_METHODS,
};

/** Imports the `locations` of every root registry and of their plugin children. */
export async function loadAllLocations(): Promise<void> {
  for (const root of Object.values(ROOT_REGISTRIES)) {
    for (const registry of [root, ...root.descendants()]) await registry.loadLocations();
  }
}
