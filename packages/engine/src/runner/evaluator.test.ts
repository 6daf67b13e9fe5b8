import { describe, expect, it } from 'vitest';
import { ScriptedMetric, ToyMetric } from './__fixtures__/toy-run.js';
import { Evaluator, buildEvaluator } from './evaluator.js';

describe('Evaluator', () => {
  it('builds from one metric config, a list, or { type: Evaluator, metrics }', () => {
    expect(buildEvaluator({ type: 'enginetest.ToyMetric' }, 'val_evaluator').metrics[0]).toBeInstanceOf(ToyMetric);
    expect(buildEvaluator([{ type: 'enginetest.ToyMetric' }, new ScriptedMetric([1])], 'val_evaluator').metrics).toHaveLength(2);
    expect(buildEvaluator({ type: 'Evaluator', metrics: [{ type: 'enginetest.ToyMetric' }] }, 'val_evaluator').metrics).toHaveLength(1);
  });

  it('passes batches to every metric, hands them the dataset meta, and merges their results', async () => {
    const toy = new ToyMetric();
    const evaluator = new Evaluator({ metrics: [toy, new ScriptedMetric([0.25])] });
    evaluator.datasetMeta = { classes: ['a'] };
    expect(toy.datasetMeta).toEqual({ classes: ['a'] });
    await evaluator.process({ y: Float32Array.of(1, 2) }, [1.5, 2]);
    expect(await evaluator.evaluate(2)).toEqual({ 'toy/mse': 0.125, 'toy/acc': 0.25, 'toy/loss': 0.75 });
  });

  it('rejects two metrics reporting the same key', async () => {
    const evaluator = new Evaluator({ metrics: [new ScriptedMetric([1]), new ScriptedMetric([1])] });
    await expect(evaluator.evaluate(1)).rejects.toThrow("Evaluator: two metrics both report 'toy/acc' (the second is ScriptedMetric)");
  });

  it('names the config path of something that is not a metric', () => {
    class HalfMetric {
      process(): void {}
    }
    expect(() => buildEvaluator([new HalfMetric() as never], 'test_evaluator')).toThrow('test_evaluator.metrics.0: expected a metric with process(batch, outputs) and evaluate(size)');
    expect(() => buildEvaluator([{ type: 'NoSuchMetric' }], 'test_evaluator')).toThrow(/test_evaluator\.metrics\.0\.type: 'NoSuchMetric' is not in/);
  });
});
