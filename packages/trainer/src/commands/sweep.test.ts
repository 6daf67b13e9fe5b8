import { SweepStore } from '@detlab/wandb';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../args.js';
import { trialCfgOptions } from './sweep.js';

describe('sweep command', () => {
  it('turns a trial into cfg-options: parameters, the sweep hook, and the W&B run name, project and config', () => {
    const plan = { store: new SweepStore('/s/atss_kd'), configName: 'atss_kd', wandb: { index: 1, project: 'ATSS' } };
    const words = trialCfgOptions(plan, { name: 'trial-004', params: { lr: 0.0012, weight_decay: 1e-7, 'model.bbox_head.loss_cls.gamma': 2 } });
    expect(words).toEqual([
      'optim_wrapper.optimizer.lr=0.0012',
      'optim_wrapper.optimizer.weight_decay=1e-7',
      'model.bbox_head.loss_cls.gamma=2',
      'default_hooks.sweep.type=SweepTrialHook',
      'default_hooks.sweep.sweep_dir=/s/atss_kd',
      'default_hooks.sweep.trial=trial-004',
      'vis_backends.1.init_kwargs.name=atss_kd_{run_id}',
      'vis_backends.1.init_kwargs.project=ATSS',
      'vis_backends.1.init_kwargs.config.sweep_trial=trial-004',
      'vis_backends.1.init_kwargs.config.lr=0.0012',
      'vis_backends.1.init_kwargs.config.weight_decay=1e-7',
    ]);
    expect(trialCfgOptions({ ...plan, wandb: undefined }, { name: 'trial-001', params: { lr: 0.1 } })).toHaveLength(4);
  });

  it('parses --count, --agents and --seed, and rejects a count that is not a positive integer', () => {
    expect(parseCli(['sweep', '--count=4', '--agents', '2', '--seed=0', '--sweep=s.yaml', '--sweep-dir', 'd'])).toMatchObject({ count: 4, agents: 2, seed: 0, sweep: 's.yaml', sweepDir: 'd' });
    expect(() => parseCli(['sweep', '--count=0'])).toThrow("--count: expected a positive integer, got '0'");
  });
});
