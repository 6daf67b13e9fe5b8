/**
 * `MaxPoolGrad` for wasm as one sequential NHWC pass on the wasm heap.
 *
 * tfjs's C++ kernel takes ~56 ms for ResNet-50's stem pool gradient (3×3, stride 2, 'same' on [2, 128, 128, 64]):
 * it walks channel by channel, so every window tap strides over the whole row of channels. Here each output
 * pixel scans its window with the channel loop innermost, so `x` and `dy` are read in memory order, and keeps
 * the running maximum of every channel in a scratch of length C: ~25 ms for that pool on one core. What remains is
 * mostly mispredicted branches of the comparisons on random data (the same loop over all-zero input takes a third
 * of the time); branch-free variants in plain JavaScript (integer keys and masks, Math.max) measured no faster.
 *
 * The result equals the cpu backend's bit for bit: the same tie rule (a strict `>` over the window in row-major
 * order starting from -Infinity, so the first maximum wins, padding takes no part, and a window of only NaN or
 * -Infinity passes no gradient), and the same sums: the cpu kernel adds the gradients that reach one input
 * element in float64, ordered by output row then column, and rounds once. Accumulating into a float32 dx would
 * round after every addition and differ whenever three or more windows pick the same element. The float64
 * accumulator only needs the input rows a window still covers (`RowBand`), not a float64 copy of all of dx.
 *
 * It also fixes the C++ kernel's results: that starts each window's maximum at FLT_MIN (the smallest positive
 * float) instead of -Infinity, so a window of values ≤ 0 (all zeros after a relu, say) never finds its maximum
 * and its gradient is lost (it lands on element 0 of x, or nowhere), and on ties the last maximum wins.
 *
 * The attributes have no dilations and no data format (tfjs's pools are NHWC, dilation 1); int32 inputs and
 * empty tensors go to the original kernel.
 */
import {
  backend_util,
  util,
  type KernelConfig,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './kernel-scope.js';
import { runOriginal, setUpOriginal } from './original-kernels.js';

/** The geometry of one NHWC pool, dilation 1, as `computePool2DInfo` works it out. */
interface PoolGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  strideHeight: number;
  strideWidth: number;
  filterHeight: number;
  filterWidth: number;
  padTop: number;
  padLeft: number;
}

export const maxPoolGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const geometry = poolGeometry(input, filterSize, strides, pad, dimRoundingMode);
  if (geometry === undefined || dy.dtype !== 'float32' || !util.arraysEqual(dy.shape, outShape(geometry))) {
    // A dy of another shape would be read out of bounds: the original kernel decides what happens then.
    return runOriginal('MaxPoolGrad', 'wasm', { inputs, attrs, backend });
  }
  const wasm = backend as WasmBackendLike;
  const dx = wasm.makeOutput(input.shape, 'float32');
  // Views are taken after makeOutput: a heap that grows detaches older ones.
  const [x, dyValues, dxValues] = [input, dy, dx].map((t) => wasm.typedArrayFromHeap(t)) as Float32Array[];
  maxPoolGradNhwc(x!, dyValues!, dxValues!, geometry);
  return dx;
};

/** The pool's geometry, or undefined for the cases left to the original kernel. */
function poolGeometry(
  input: TensorInfo,
  filterSize: MaxPoolGradAttrs['filterSize'],
  strides: MaxPoolGradAttrs['strides'],
  pad: MaxPoolGradAttrs['pad'],
  dimRoundingMode: MaxPoolGradAttrs['dimRoundingMode'],
): PoolGeometry | undefined {
  if (input.dtype !== 'float32' || input.shape.length !== 4 || util.sizeFromShape(input.shape) === 0) return undefined;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  // Always true for MaxPoolGrad's attributes; checked so that a future attribute cannot silently be ignored.
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || info.dataFormat !== 'channelsLast') return undefined;
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    channels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

const outShape = (g: PoolGeometry) => [g.batch, g.outHeight, g.outWidth, g.channels];

/**
 * dx of a max pool: each output pixel's dy goes, per channel, to the first maximum of its window. Every element
 * of `dx` is written (zeros included), since wasm's `makeOutput` does not clear memory.
 */
function maxPoolGradNhwc(x: Float32Array, dy: Float32Array, dx: Float32Array, g: PoolGeometry): void {
  const { inHeight, inWidth, channels, outHeight, outWidth, strideHeight, filterHeight, padTop } = g;
  const rowSize = inWidth * channels;
  const imageSize = inHeight * rowSize;
  const band = new RowBand(filterHeight, rowSize);
  const best = new Float64Array(channels);
  const winner = new Int32Array(channels);
  for (let b = 0; b < g.batch; b += 1) {
    const image = b * imageSize;
    let finished = 0; // rows [0, finished) of this image are final in dx
    for (let yR = 0; yR < outHeight; yR += 1) {
      const top = yR * strideHeight - padTop;
      const rowStart = Math.max(0, top);
      const rowEnd = Math.min(inHeight, top + filterHeight);
      for (let yC = 0; yC < outWidth; yC += 1) {
        windowArgmax(x, image, rowStart, rowEnd, yC, g, band, best, winner);
        const dyAt = ((b * outHeight + yR) * outWidth + yC) * channels;
        for (let ch = 0; ch < channels; ch += 1) {
          const at = winner[ch]!;
          if (at >= 0) band.sums[at] += dy[dyAt + ch]!;
        }
      }
      // Later windows start at the next window's top row, so the rows above it receive no more gradients.
      const nextTop = yR + 1 < outHeight ? (yR + 1) * strideHeight - padTop : inHeight;
      const done = Math.max(finished, Math.min(inHeight, nextTop));
      for (let r = finished; r < done; r += 1) {
        const row = dx.subarray(image + r * rowSize, image + (r + 1) * rowSize);
        if (r >= rowStart && r < rowEnd) band.flush(r, row);
        else row.fill(0); // between windows (stride > filter) or outside every window
      }
      finished = done;
    }
    dx.fill(0, image + finished * rowSize, image + imageSize); // only when the pool has no output rows
  }
}

/**
 * The per-channel first maximum of the window of output column `yC` over input rows [rowStart, rowEnd), as
 * indices into `band.sums` (-1 where no value beats -Infinity: NaN and -Infinity never win, as on cpu).
 */
function windowArgmax(
  x: Float32Array,
  image: number,
  rowStart: number,
  rowEnd: number,
  yC: number,
  g: PoolGeometry,
  band: RowBand,
  best: Float64Array,
  winner: Int32Array,
): void {
  const { channels, inWidth } = g;
  const left = yC * g.strideWidth - g.padLeft;
  const colStart = Math.max(0, left);
  const colEnd = Math.min(inWidth, left + g.filterWidth);
  for (let ch = 0; ch < channels; ch += 1) {
    best[ch] = -Infinity;
    winner[ch] = -1;
  }
  for (let r = rowStart; r < rowEnd; r += 1) {
    const xRow = image + r * inWidth * channels;
    const bandRow = band.offset(r);
    for (let c = colStart; c < colEnd; c += 1) {
      const xAt = xRow + c * channels;
      const bandAt = bandRow + c * channels;
      for (let ch = 0; ch < channels; ch += 1) {
        const v = x[xAt + ch]!;
        if (v > best[ch]!) {
          best[ch] = v;
          winner[ch] = bandAt + ch;
        }
      }
    }
  }
}

/**
 * Float64 gradient sums for the input rows still in use. A window spans `filterHeight` consecutive rows, so row r
 * lives in slot r mod filterHeight: the rows of one window never share a slot, and a slot is flushed (written to
 * dx as float32, then cleared) before the next row that maps to it enters a window.
 */
class RowBand {
  readonly sums: Float64Array;

  constructor(
    private readonly rows: number,
    private readonly rowSize: number,
  ) {
    this.sums = new Float64Array(rows * rowSize);
  }

  /** Where input row `r` starts in `sums`. */
  offset(r: number): number {
    return (r % this.rows) * this.rowSize;
  }

  /** Writes row `r`'s sums to `target`, rounded to float32 once, and clears its slot for a later row. */
  flush(r: number, target: Float32Array): void {
    const slot = this.sums.subarray(this.offset(r), this.offset(r) + this.rowSize);
    target.set(slot);
    slot.fill(0);
  }
}

export const maxPoolGradWasmConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGradWasm,
  setupFunc: setUpOriginal('MaxPoolGrad', 'wasm'),
};
