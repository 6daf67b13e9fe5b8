import { validateConfig } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import '../index.js';

// Each config sets optim_wrapper: its schema (optim/config-keys.ts) makes it a required key.
const base = { optim_wrapper: { optimizer: { type: 'SGD', lr: 0.01 } } };

describe('runner config keys', () => {
  it('checks loop configs against the schema of the loop they name, or the default loop', () => {
    expect(validateConfig({ ...base, train_cfg: { type: 'EpochBasedTrainLoop', max_epochs: 12, val_interval: 1 }, val_cfg: { type: 'ValLoop' }, test_cfg: {} })).toEqual([]);
    expect(validateConfig({ ...base, train_cfg: { by_epoch: false, max_iters: 100 } })).toEqual([]);
    const issues = validateConfig({ ...base, train_cfg: { type: 'EpochBasedTrainLoop', max_epoch: 12 } });
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['train_cfg.max_epochs']));
    // A plugin's pkg:: base scopes its loop config: `_scope_` is where the name is looked up, not an option.
    expect(validateConfig({ ...base, train_cfg: { type: 'EpochBasedTrainLoop', max_epochs: 1, _scope_: 'detlab' } })).toEqual([]);
    expect(validateConfig({ ...base, val_cfg: { type: 'ValLop' } })[0]).toMatchObject({ path: 'val_cfg.type', message: expect.stringContaining("'ValLop' is not in the detlab::loop registry") });
  });

  it('checks runner_type, randomness, resume and load_from', () => {
    expect(validateConfig({ ...base, runner_type: 'Runner', randomness: { seed: 42 }, resume: true, load_from: null, log_level: 'INFO' })).toEqual([]);
    const paths = validateConfig({ ...base, runner_type: 'FastRunner', randomness: { seed: -1 }, resume: 'yes' }).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['runner_type', 'randomness.seed', 'resume']));
  });
});
