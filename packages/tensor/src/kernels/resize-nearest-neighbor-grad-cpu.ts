/**
 * `ResizeNearestNeighborGrad` for the cpu backend, replacing tfjs-backend-cpu 4.22's, which is wrong for
 * batch > 1: it offsets dy rows by the *input's* batch stride (`dist/kernels/ResizeNearestNeighborGrad.js`,
 * reference `tfjs-in-node.md` §4.3; no upstream issue known). It also ignores `halfPixelCenters`.
 *
 * This one scatters each dy pixel onto the input pixel the forward kernel read it from, with the forward
 * kernel's own index formula, so the two cannot disagree.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/** The cpu backend calls used here. */
interface CpuBackendLike {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** Attrs of the forward `ResizeNearestNeighbor`, which tfjs passes on to its gradient. */
interface ResizeAttrs {
  alignCorners: boolean;
  halfPixelCenters?: boolean;
}

/** Computes d(images) [B, H, W, C] from dy [B, h, w, C]: the sum of dy over the pixels each input pixel fed. */
export const resizeNearestNeighborGradCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo };
  const { alignCorners, halfPixelCenters = false } = attrs as unknown as ResizeAttrs;
  const cpu = backend as CpuBackendLike;
  const [batch, inH, inW, depth] = images.shape as [number, number, number, number];
  const [, outH, outW] = dy.shape as [number, number, number, number];
  const dyValues = cpu.data.get(dy.dataId).values;
  const dx = new Float32Array(batch * inH * inW * depth);
  const rows = sourceIndices(inH, outH, alignCorners, halfPixelCenters);
  const cols = sourceIndices(inW, outW, alignCorners, halfPixelCenters);
  let from = 0;
  for (let b = 0; b < batch; b += 1) {
    for (let r = 0; r < outH; r += 1) {
      for (let c = 0; c < outW; c += 1) {
        const to = ((b * inH + rows[r]!) * inW + cols[c]!) * depth;
        for (let d = 0; d < depth; d += 1) dx[to + d]! += dyValues[from + d]!;
        from += depth;
      }
    }
  }
  return cpu.makeTensorInfo(images.shape, 'float32', dx);
};

/** Registration record of the replacement kernel. */
export const resizeNearestNeighborGradCpuConfig: KernelConfig = {
  kernelName: 'ResizeNearestNeighborGrad',
  backendName: 'cpu',
  kernelFunc: resizeNearestNeighborGradCpu,
};

/** The input index each output index reads, exactly as tfjs-backend-cpu's forward ResizeNearestNeighbor. */
function sourceIndices(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const corners = alignCorners && outSize > 1;
  const ratio = (corners ? inSize - 1 : inSize) / (corners ? outSize - 1 : outSize);
  const indices = new Int32Array(outSize);
  for (let i = 0; i < outSize; i += 1) {
    const frac = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
    const nearest = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    indices[i] = halfPixelCenters ? Math.max(0, nearest) : nearest;
  }
  return indices;
}
