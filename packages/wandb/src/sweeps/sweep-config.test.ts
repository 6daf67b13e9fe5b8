import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import './index.js';
import { loadSweepConfig, parseSweepConfig } from './sweep-config.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('sweep config', () => {
  it('loads the default sweep (configs/sweeps/atss_kd.yaml) with its distributions and hyperband filled in', async () => {
    const sweep = await loadSweepConfig(join(repoRoot, 'configs/sweeps/atss_kd.yaml'));
    expect(sweep.method).toBe('bayes');
    expect(sweep.metric).toEqual({ name: 'val/bbox_mAP_50', goal: 'maximize', impute: 'worst', impute_while_running: 'false' });
    expect(sweep.parameters).toEqual({
      lr: { distribution: 'uniform', min: 0.0001, max: 0.003 },
      weight_decay: { distribution: 'uniform', min: 0.0001, max: 0.01 },
    });
    expect(sweep.early_terminate).toEqual({ type: 'hyperband', s: 3, eta: 2, min_iter: 8, strict: true });
    expect(sweep.project).toBe('ATSS');
  });

  it('reads JSON and TS sweep files too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-config-'));
    await writeFile(join(dir, 's.json'), JSON.stringify({ method: 'random', parameters: { lr: { values: [0.1, 0.01] } } }));
    await writeFile(join(dir, 's.ts'), "export default { method: 'grid', parameters: { 'model.bbox_head.stacked_convs': { min: 1, max: 3 } } };\n");
    expect((await loadSweepConfig(join(dir, 's.json'))).parameters.lr).toEqual({ distribution: 'categorical', values: [0.1, 0.01] });
    expect((await loadSweepConfig(join(dir, 's.ts'))).parameters['model.bbox_head.stacked_convs']).toEqual({ distribution: 'int_uniform', min: 1, max: 3 });
  });

  it('infers distributions as W&B does and flattens nested parameters into dotted names', () => {
    const sweep = parseSweepConfig({
      method: 'random',
      parameters: {
        epochs: { value: 3 },
        depth: { min: 1, max: 4 },
        gamma: { min: 1, max: 2.5 },
        noise: { mu: 0, sigma: 2 },
        opt: { values: ['SGD', 'AdamW'], probabilities: [0.5, 0.5] },
        model: { parameters: { bbox_head: { parameters: { loss_cls: { parameters: { gamma: { values: [1, 2] } } } } } } },
      },
    });
    expect(Object.keys(sweep.parameters)).toEqual(['depth', 'epochs', 'gamma', 'model.bbox_head.loss_cls.gamma', 'noise', 'opt']);
    expect(sweep.parameters.epochs.distribution).toBe('constant');
    expect(sweep.parameters.depth.distribution).toBe('int_uniform');
    expect(sweep.parameters.gamma.distribution).toBe('uniform');
    expect(sweep.parameters.noise.distribution).toBe('normal');
    expect(sweep.parameters.opt.distribution).toBe('categorical_w_probabilities');
  });

  it('rejects mistakes with the key and the fix', () => {
    expect(() => parseSweepConfig({ method: 'bayesian', parameters: { lr: { min: 0.1, max: 1 } } }, 'x.yaml')).toThrow(/method: unknown sweep method 'bayesian' in x\.yaml[\s\S]*Known methods: .*bayes/);
    expect(() => parseSweepConfig({ method: 'random', parameters: { lr: { min: 1, max: 0.1 } } })).toThrow(/parameters\.lr: min must be less than max, got min 1 and max 0\.1/);
    expect(() => parseSweepConfig({ method: 'random', parameters: { lr: { distribution: 'log_uniform', min: -9, max: -2 } } })).toThrow(/deprecated[\s\S]*log_uniform_values/);
    expect(() => parseSweepConfig({ method: 'bayes', parameters: { lr: { min: 0.1, max: 1 } } })).toThrow(/metric: method bayes needs a metric/);
    expect(() => parseSweepConfig({ method: 'random', parameters: { lr: { values: [1] } }, early_terminate: { type: 'hyperband', eta: 2 }, metric: { name: 'm' } })).toThrow(/min_iter, or both max_iter and s/);
    expect(() => parseSweepConfig({ method: 'random', parametres: {} }, 'y.yaml')).toThrow(/y\.yaml/);
  });
});
