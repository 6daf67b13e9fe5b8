import type { Logger } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import { BaseMetric } from './base-metric.js';

class CountMetric extends BaseMetric<number, string> {
  constructor(prefix?: string | null) {
    super({ prefix }, 'count');
  }
  process(_batch: unknown, samples: readonly string[]): void {
    for (const s of samples) this.results.push(s.length);
  }
  computeMetrics(results: number[]): Record<string, number> {
    return { samples: results.length, chars: results.reduce((a, b) => a + b, 0) };
  }
}

describe('BaseMetric', () => {
  it('prefixes keys, keeps the first `size` results (distributed padding) and clears them', () => {
    const metric = new CountMetric();
    metric.process({}, ['ab', 'cde']);
    metric.process({}, ['padding']);
    expect(metric.evaluate(2)).toEqual({ 'count/samples': 2, 'count/chars': 5 });
    expect(metric.results).toEqual([]);
    const custom = new CountMetric('val');
    custom.process({}, ['x']);
    expect(custom.evaluate(1)).toEqual({ 'val/samples': 1, 'val/chars': 1 });
  });

  it('warns as MMEngine does when nothing was processed', () => {
    const warnings: string[] = [];
    const metric = new CountMetric();
    metric.logger = { warn: (m: string) => warnings.push(m) } as unknown as Logger;
    metric.evaluate(0);
    expect(warnings[0]).toMatch(/^CountMetric got empty `this.results`/);
  });

  it('keeps a copy of the dataset meta it is given', () => {
    const metric = new CountMetric();
    const meta = { classes: ['a'] };
    metric.datasetMeta = meta;
    meta.classes = ['b'];
    expect(metric.datasetMeta).toEqual({ classes: ['a'] });
  });
});
