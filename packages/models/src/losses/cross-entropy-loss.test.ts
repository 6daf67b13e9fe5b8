import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { initBackend, maxRelativeError, numericGradient } from '@detlab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { CrossEntropyLoss, type CrossEntropyForwardOptions, type CrossEntropyLossOptions } from './cross-entropy-loss.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const bce = (x: number, t: number, pw = 1) => -(pw * t * Math.log(sigmoid(x)) + (1 - t) * Math.log(1 - sigmoid(x)));
/** −log softmax(row)[y], from the definition. */
const nll = (row: number[], y: number) => -Math.log(Math.exp(row[y]!) / row.reduce((a, v) => a + Math.exp(v), 0));

/** loss.forward on tensors that `pred` and `target` make, values read outside tidy; frees everything. */
function run(options: CrossEntropyLossOptions, pred: () => tf.Tensor, target: () => tf.Tensor, call: () => CrossEntropyForwardOptions = () => ({})): number[] {
  const loss = new CrossEntropyLoss(options);
  const out = tf.tidy(() => loss.forward(pred(), target(), call()));
  const values = Array.from(out.dataSync());
  out.dispose();
  return values;
}

describe('CrossEntropyLoss, sigmoid', () => {
  const X = [0, 2, -1.5, 0.7];
  const T = [1, 0.25, 0, 0.9]; // centerness-like soft targets
  const expected = X.map((x, i) => bce(x, T[i]!));
  const pred = () => tf.tensor1d(X);
  const target = () => tf.tensor1d(T);

  it('gives −(t·log σ(x) + (1 − t)·log(1 − σ(x))) per element (ln 2 at logit 0, target 1)', () => {
    const out = run({ use_sigmoid: true, reduction: 'none' }, pred, target);
    expect(out[0]).toBeCloseTo(Math.LN2, 6);
    expect(maxRelativeError(out, expected)).toBeLessThan(1e-6);
  });

  it('divides the sum by avg_factor, as ATSS does with the number of positives', () => {
    const sum = expected.reduce((a, b) => a + b, 0);
    expect(run({ use_sigmoid: true }, pred, target, () => ({ avgFactor: 3 }))[0]).toBeCloseTo(sum / 3, 5);
    expect(run({ use_sigmoid: true, loss_weight: 2 }, pred, target)[0]).toBeCloseTo((2 * sum) / 4, 5);
  });

  it('uses class_weight as pos_weight, one per class on the last axis', () => {
    const rows = [[0.5, -1], [2, 0.3]];
    const targets = [[1, 0], [0.5, 1]];
    const out = run({ use_sigmoid: true, reduction: 'none', class_weight: [3, 0.5] }, () => tf.tensor2d(rows), () => tf.tensor2d(targets));
    const want = rows.flatMap((r, i) => r.map((x, c) => bce(x, targets[i]![c]!, [3, 0.5][c])));
    expect(maxRelativeError(out, want)).toBeLessThan(1e-6);
  });

  it('expands integer labels to one-hot and gives ignored labels weight 0 on every class', () => {
    const rows = [[0.5, -1, 0.2], [2, 0.3, -0.4], [1, 1, 1]];
    const labels = () => tf.tensor1d([2, 0, -100], 'int32');
    const out = run({ use_sigmoid: true, reduction: 'none' }, () => tf.tensor2d(rows), labels);
    const oneHot = [[0, 0, 1], [1, 0, 0]];
    const want = [...rows.slice(0, 2).flatMap((r, i) => r.map((x, c) => bce(x, oneHot[i]![c]!))), 0, 0, 0];
    expect(maxRelativeError(out, want)).toBeLessThan(1e-6);
    // avg_non_ignore: the mean is over the 6 valid elements (2 labels × 3 classes), not all 9.
    const mean = run({ use_sigmoid: true, avg_non_ignore: true }, () => tf.tensor2d(rows), labels)[0]!;
    expect(mean).toBeCloseTo(want.reduce((a, b) => a + b, 0) / 6, 5);
  });

  it('has the gradient of central differences w.r.t. the logits', () => {
    const loss = new CrossEntropyLoss({ use_sigmoid: true });
    const [x, t, w] = [tf.tensor1d(X), tf.tensor1d(T), tf.tensor1d([1, 2, 0.5, 1])];
    const f = (v: tf.Tensor) => loss.forward(v, t, { weight: w, avgFactor: 2 }) as tf.Scalar;
    const analytic = tf.grad(f)(x);
    expect(maxRelativeError(analytic.dataSync(), numericGradient(f, x, 1e-2), 1e-2)).toBeLessThan(1e-3);
    tf.dispose([x, t, w, analytic]);
  });
});

describe('CrossEntropyLoss, softmax', () => {
  const ROWS = [
    [1, 2, 3],
    [0.5, -0.5, 0],
    [2, 2, -1],
  ];
  const logits = () => tf.tensor2d(ROWS);

  it('gives −log softmax(pred)[label] per sample (0.4076 for logits 1, 2, 3 and label 2)', () => {
    const out = run({ reduction: 'none' }, logits, () => tf.tensor1d([2, 0, 1], 'int32'));
    expect(out[0]).toBeCloseTo(0.407606, 5);
    expect(maxRelativeError(out, [nll(ROWS[0]!, 2), nll(ROWS[1]!, 0), nll(ROWS[2]!, 1)])).toBeLessThan(1e-6);
  });

  it('scales each sample by class_weight of its label', () => {
    const out = run({ reduction: 'none', class_weight: [1, 0.5, 2] }, logits, () => tf.tensor1d([2, 0, 1], 'int32'));
    expect(maxRelativeError(out, [2 * nll(ROWS[0]!, 2), nll(ROWS[1]!, 0), 0.5 * nll(ROWS[2]!, 1)])).toBeLessThan(1e-6);
  });

  it('gives ignore_index samples 0, and averages over all samples unless avg_non_ignore', () => {
    const labels = () => tf.tensor1d([2, -100, 1], 'int32');
    const kept = nll(ROWS[0]!, 2) + nll(ROWS[2]!, 1);
    expect(run({ reduction: 'none' }, logits, labels)[1]).toBe(0);
    expect(run({}, logits, labels)[0]).toBeCloseTo(kept / 3, 5);
    expect(run({ avg_non_ignore: true }, logits, labels)[0]).toBeCloseTo(kept / 2, 5);
    // A configured ignore_index inside the class range, and one given per call.
    expect(run({ reduction: 'none', ignore_index: 1 }, logits, labels)[2]).toBe(0);
    expect(run({ reduction: 'none' }, logits, labels, () => ({ ignoreIndex: 2 }))[0]).toBe(0);
  });

  it('weights samples, divides by avg_factor, and has the gradient softmax − one-hot', () => {
    const labels = [2, 0, 1];
    const weighted = nll(ROWS[0]!, 2) * 2 + nll(ROWS[1]!, 0) * 0 + nll(ROWS[2]!, 1) * 1;
    expect(run({}, logits, () => tf.tensor1d(labels, 'int32'), () => ({ weight: tf.tensor1d([2, 0, 1]), avgFactor: 5 }))[0]).toBeCloseTo(weighted / 5, 5);
    const loss = new CrossEntropyLoss({ reduction: 'sum' });
    const [x, y] = [logits(), tf.tensor1d(labels, 'int32')];
    const grad = tf.grad((v: tf.Tensor) => loss.forward(v, y) as tf.Scalar)(x);
    const want = ROWS.flatMap((row, i) => {
      const z = row.reduce((a, v) => a + Math.exp(v), 0);
      return row.map((v, c) => Math.exp(v) / z - (c === labels[i] ? 1 : 0));
    });
    expect(maxRelativeError(grad.dataSync(), want, 1e-3)).toBeLessThan(1e-5);
    tf.dispose([x, y, grad]);
  });

  it('leaves no tensor behind but its result, in both forms', () => {
    const [x, y, t] = [logits(), tf.tensor1d([2, -100, 1], 'int32'), tf.ones([3, 3])];
    const before = tf.memory().numTensors;
    const softmax = new CrossEntropyLoss({ avg_non_ignore: true, class_weight: [1, 2, 3] }).forward(x, y, { weight: tf.ones([3]) });
    const sigmoidLoss = new CrossEntropyLoss({ use_sigmoid: true }).forward(x, t, { avgFactor: 2 });
    expect(tf.memory().numTensors).toBe(before + 3); // two results and the weight made inline
    tf.dispose([softmax, sigmoidLoss, x, y, t]);
  });

  it('rejects a class_weight of the wrong length, naming both counts', () => {
    const loss = new CrossEntropyLoss({ class_weight: [1, 2] });
    const [x, y] = [logits(), tf.tensor1d([0, 1, 2], 'int32')];
    expect(() => loss.forward(x, y)).toThrow('CrossEntropyLoss.forward: class_weight has 2 entries, expected one per class of pred [3, 3] (3)');
    tf.dispose([x, y]);
  });
});

describe('CrossEntropyLoss registration', () => {
  it('is registered as CrossEntropyLoss with mmdet defaults', () => {
    const loss = MODELS.build<CrossEntropyLoss>({ type: 'CrossEntropyLoss', use_sigmoid: true });
    expect(loss).toBeInstanceOf(CrossEntropyLoss);
    expect(loss.options).toEqual({ use_sigmoid: true, use_mask: false, class_weight: null, ignore_index: null, avg_non_ignore: false, reduction: 'mean', loss_weight: 1 });
  });

  it('rejects use_mask: true with its config path', () => {
    const build = () => MODELS.build({ type: 'CrossEntropyLoss', use_mask: true }, { path: 'model.roi_head.mask_head.loss_mask' });
    expect(build).toThrow(/model\.roi_head\.mask_head\.loss_mask\.use_mask: use_mask \(mask cross-entropy\) is not implemented/);
  });
});
