/**
 * Models for bench/data-parallel.mjs, registered in MODELS so that data-parallel worker replicas can build them
 * from a config (workers import this file: it registers and does nothing else).
 *
 * `BenchResNet50Step`: the step of bench/resnet50-step.mjs as a trainable model: ResNet-50's four stage outputs
 * (no fc), loss = Σ_stages mean(out²), in train mode (every BN on batch statistics, as torch's train()).
 * A batch is `{ inputs: Float32Array[] }`, one H·W·3 image per entry (NHWC).
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS } from '@detlab/core';
import { Module } from '@detlab/tensor';
import { ResNet } from '@detlab/models';

export class BenchResNet50Step extends Module {
  constructor({ size = 256 } = {}) {
    super();
    this.size = size;
    this.backbone = this.registerModule('backbone', new ResNet({ depth: 50, norm_eval: false }));
  }

  loss(batch) {
    const n = batch.inputs.length;
    const x = tf.tensor4d(concat(batch.inputs), [n, this.size, this.size, 3]); // [N, H, W, 3]
    return { loss: tf.addN(this.backbone.forward(x).map((o) => tf.mean(tf.square(o)))) };
  }

  predict() {
    return [];
  }
}
MODELS.register('BenchResNet50Step')(BenchResNet50Step);

function concat(parts) {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
