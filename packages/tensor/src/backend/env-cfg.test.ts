import { validateConfig } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import './env-cfg.js';

describe('env_cfg', () => {
  it('accepts every backend choice', () => {
    for (const backend of ['auto', 'wasm', 'webgpu', 'tensorflow', 'tensorflow-gpu', 'cpu']) {
      expect(validateConfig({ env_cfg: { backend } })).toEqual([]);
    }
  });

  it('reports a misspelt backend with its config path', () => {
    const [issue] = validateConfig({ env_cfg: { backend: 'wsam' } });
    expect(issue?.path).toBe('env_cfg.backend');
    expect(issue?.message).toMatch(/expected one of .*'wasm'/);
  });

  it('accepts num_workers_train as a positive integer or auto', () => {
    for (const num_workers_train of [1, 4, 'auto']) expect(validateConfig({ env_cfg: { num_workers_train } })).toEqual([]);
  });

  it('reports num_workers_train 0 with its config path', () => {
    const [issue] = validateConfig({ env_cfg: { num_workers_train: 0 } });
    expect(issue?.path).toBe('env_cfg.num_workers_train');
  });
});
