/**
 * `random`: every parameter drawn independently from its distribution (wandb/sweeps `random_search.py`). Past
 * trials are ignored; the sweep ends only by `--count`, `run_cap` or `metric.target`.
 *
 * @example
 * method: random
 */
import { SWEEP_METHODS } from '@detlab/core';
import { makeDistribution } from '../distributions.js';
import type { Rng } from '../rng.js';
import type { SweepConfig } from '../sweep-config.js';
import type { Suggestion, SweepMethod } from './sweep-method.js';

/** Random search; see the file comment. */
export class RandomSearch implements SweepMethod {
  next(config: SweepConfig, _trials: unknown, rng: Rng): Suggestion {
    const params: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(config.parameters)) params[name] = makeDistribution(name, spec).sample(rng);
    return { params };
  }
}

SWEEP_METHODS.register(RandomSearch, { name: 'random', description: 'Each parameter drawn independently from its distribution (W&B random).' });
