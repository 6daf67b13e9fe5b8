/**
 * `Conv2DBackpropFilter` for the wasm backend, which has none (tensorflow/tfjs#8474): the filter gradient as
 * one XNNPACK forward convolution, "channels as batch" (reference §4.1).
 *
 * dW[i, j, ci, co] = Σ_{b, oh, ow} xp[b, oh·sh + i, ow·sw + j, ci] · dy[b, oh, ow, co] is a convolution of
 * x transposed to [Cin, H, W, B] (channels become the batch) with dy transposed to [Ho, Wo, B, Cout] as the
 * filter, at dilation = stride.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { convGeometry, filterGradAxisPlan, type ConvAttrs } from './conv-geometry.js';
import { withKernelScope, type KernelBackendLike } from './kernel-scope.js';

/** Attrs of `Conv2DBackpropFilter`: the forward conv's, plus the filter shape. */
interface BackpropFilterAttrs extends ConvAttrs {
  filterShape: [number, number, number, number];
}

/** Computes dW [kh, kw, Cin, Cout] from x [B, H, W, Cin] and dy [B, Ho, Wo, Cout]. */
export const conv2DBackpropFilterWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as BackpropFilterAttrs;
  const g = convGeometry('Conv2DBackpropFilter', x.shape, a.filterShape, dy.shape, a);
  const rows = filterGradAxisPlan(g.rows);
  const cols = filterGradAxisPlan(g.cols);
  const [kh, kw, cin, cout] = a.filterShape;

  return withKernelScope(backend as KernelBackendLike, 'wasm', (scope) => {
    const channelsAsBatch = scope.run('Transpose', { x }, { perm: [3, 1, 2, 0] }); // [Cin, H, W, B]
    const dyAsFilter = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [Ho, Wo, B, Cout]
    const conv: NamedAttrMap = {
      strides: 1,
      dilations: [g.rows.s, g.cols.s],
      pad: [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]],
      dataFormat: 'NHWC',
    };
    let grad = scope.run('Conv2D', { x: channelsAsBatch, filter: dyAsFilter }, conv); // [Cin, ≥kh, ≥kw, Cout]
    // Larger than k when the last windows leave input rows unread, e.g. a 1×1 stride-2 conv on an even size.
    if (rows.outSize > kh || cols.outSize > kw) {
      grad = scope.run('Slice', { x: grad }, { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] });
    }
    return scope.run('Transpose', { x: grad }, { perm: [1, 2, 0, 3] }); // [kh, kw, Cin, Cout]
  });
};

/** Registration record of the added kernel. */
export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm,
};
