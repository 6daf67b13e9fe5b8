import { validateConfig } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import './index.js';

const pathsOf = (config: Record<string, unknown>) => validateConfig(config).map((i) => i.path).filter((p) => p.startsWith('kd_loss'));

describe('distill config keys', () => {
  it("accepts atss_kd's kd_loss and kd_loss_weight, and configs without them", () => {
    expect(pathsOf({ kd_loss: { type: 'DistillationLoss', temperature: 4 }, kd_loss_weight: 0.5 })).toEqual([]);
    expect(pathsOf({ kd_loss: { type: 'KLDivergence', tau: 1, reduction: 'batchmean' } })).toEqual([]);
    expect(pathsOf({})).toEqual([]);
  });

  it('reports a bad kd_loss option, an unknown type and a negative kd_loss_weight with their paths', () => {
    expect(pathsOf({ kd_loss: { type: 'DistillationLoss', temperature: -4 }, kd_loss_weight: -0.5 })).toEqual(
      expect.arrayContaining(['kd_loss.temperature', 'kd_loss_weight']),
    );
    const issue = validateConfig({ kd_loss: { type: 'DistilationLoss' } }).find((i) => i.path === 'kd_loss.type');
    expect(issue?.message).toContain("'DistilationLoss' is not in the detlab::model registry");
  });
});
