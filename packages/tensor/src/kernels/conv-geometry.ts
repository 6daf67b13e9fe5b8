/**
 * Geometry shared by the conv gradient kernels: tfjs conv attrs resolved to sizes and per-side padding, and the
 * per-axis plans that turn each gradient into one forward convolution (reference `tfjs-in-node.md` §4.1).
 *
 * Notation per spatial axis: input size `n`, output size `m`, kernel size `k`, stride `s`, padding before `p`.
 * The forward pass reads `y[o] = Σ_i x[o·s + i − p] · w[i]`.
 */
import { backend_util } from '@tensorflow/tfjs-core';

/** Per-dimension [before, after] padding of an NHWC tensor, as tfjs accepts it for `pad`. */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** The conv attributes tfjs passes to Conv2D and both of its gradient kernels. */
export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /** Absent on the gradient kernels (tfjs only differentiates dilation 1); checked when present. */
  dilations?: number | [number, number];
}

/** One spatial axis of a forward convolution. */
export interface ConvAxis {
  /** Input size. */
  n: number;
  /** Output size, taken from dy. */
  m: number;
  /** Kernel size. */
  k: number;
  /** Stride. */
  s: number;
  /** Padding before the first input element. */
  before: number;
  /** Padding after the last input element, as tfjs resolved it. */
  after: number;
}

/** A forward NHWC convolution resolved from its attrs: batch, channels and both spatial axes. */
export interface ConvGeometry {
  batch: number;
  inChannels: number;
  outChannels: number;
  rows: ConvAxis;
  cols: ConvAxis;
}

/**
 * Resolves the forward convolution behind a gradient kernel call.
 *
 * Throws for what the compositions do not implement (NCHW, dilation > 1) and when dy does not have the output
 * shape the attrs imply, rather than computing a wrong gradient.
 */
export function convGeometry(
  kernelName: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[],
  attrs: ConvAttrs,
): ConvGeometry {
  if (attrs.dataFormat === 'NCHW') {
    throw new Error(`${kernelName} (detlab wasm kernel): expected dataFormat 'NHWC', got 'NCHW'.`);
  }
  const dilations = attrs.dilations ?? 1;
  if (!(Array.isArray(dilations) ? dilations : [dilations]).every((d) => d === 1)) {
    throw new Error(`${kernelName} (detlab wasm kernel): only dilation 1 is supported, got ${String(dilations)}.`);
  }
  const info = resolveRounding(xShape, filterShape, dyShape, attrs);
  if (info === undefined) {
    const expected = backend_util.computeConv2DInfo(...infoArgs(xShape, filterShape, attrs, attrs.dimRoundingMode));
    throw new Error(
      `${kernelName} (detlab wasm kernel): dy has shape [${dyShape.join(', ')}], expected ` +
        `[${expected.batchSize}, ${expected.outHeight}, ${expected.outWidth}, ${expected.outChannels}] for input ` +
        `[${xShape.join(', ')}], filter [${filterShape.join(', ')}] and pad ${JSON.stringify(attrs.pad)}.`,
    );
  }
  const { padInfo } = info;
  return {
    batch: info.batchSize,
    inChannels: info.inChannels,
    outChannels: info.outChannels,
    rows: axis(info.inHeight, info.outHeight, info.filterHeight, info.strideHeight, padInfo.top, padInfo.bottom),
    cols: axis(info.inWidth, info.outWidth, info.filterWidth, info.strideWidth, padInfo.left, padInfo.right),
  };
}

/**
 * The conv info whose output shape is dy's. tfjs's Conv2D gradient (`gradients/Conv2D_grad.js`, 4.22) does not
 * pass `dimRoundingMode` on to the gradient kernels, so with a numeric pad and 'ceil' or 'round' the attrs
 * imply a smaller output than dy has; the rounding that reproduces dy's shape is the one the forward pass used.
 */
function resolveRounding(
  xShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[],
  attrs: ConvAttrs,
): backend_util.Conv2DInfo | undefined {
  const modes = attrs.dimRoundingMode !== undefined || typeof attrs.pad === 'string'
    ? [attrs.dimRoundingMode]
    : [undefined, 'ceil', 'round'] as const;
  for (const mode of modes) {
    const info = backend_util.computeConv2DInfo(...infoArgs(xShape, filterShape, attrs, mode));
    if (dyShape[1] === info.outHeight && dyShape[2] === info.outWidth && dyShape[3] === info.outChannels) return info;
  }
  return undefined;
}

function axis(n: number, m: number, k: number, s: number, before: number, after: number): ConvAxis {
  return { n, m, k, s, before, after };
}

function infoArgs(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvAttrs,
  mode: ConvAttrs['dimRoundingMode'],
): Parameters<typeof backend_util.computeConv2DInfo> {
  type Shape4 = [number, number, number, number];
  return [xShape as Shape4, filterShape as Shape4, attrs.strides, 1, attrs.pad, mode, false, 'channelsLast'];
}

/** How one axis of dy becomes the input of the stride-1 convolution that yields dX. */
export interface InputGradAxisPlan {
  /** Zeros inserted before each dy element (the other `s − 1 − zerosBefore` go after it). */
  zerosBefore: number;
  /** Elements cut from the front / back of the zero-dilated dy (only for unusual explicit pads). */
  cropBefore: number;
  cropAfter: number;
  /** Padding of the stride-1 convolution. */
  padBefore: number;
  padAfter: number;
}

/**
 * Plans dX along one axis: dX[h] = Σ_i dp[h + i] · w[k − 1 − i], where dp is dy dilated by the stride (s − 1
 * zeros between elements) and padded with k − 1 − p before, up to n + k − 1 elements.
 *
 * Dilation reshapes dy to [.., m, 1, ..] and pads that unit axis to s, which also adds s − 1 zeros at one end;
 * `zerosBefore` puts them where the convolution padding would go anyway, so no extra copy is needed in the
 * usual cases. Any remaining negative padding becomes a crop.
 */
export function inputGradAxisPlan({ n, m, k, s, before }: ConvAxis): InputGradAxisPlan {
  const dilated = (m - 1) * s + 1;
  const top = k - 1 - before; // padding of the tightly dilated dy, may be negative
  const bottom = n + k - 1 - dilated - top;
  const zerosBefore = Math.min(Math.max(s - 1 - bottom, 0), s - 1, Math.max(top, 0));
  const padBefore = top - zerosBefore;
  const padAfter = bottom - (s - 1 - zerosBefore);
  return {
    zerosBefore,
    cropBefore: Math.max(-padBefore, 0),
    cropAfter: Math.max(-padAfter, 0),
    padBefore: Math.max(padBefore, 0),
    padAfter: Math.max(padAfter, 0),
  };
}

/** How one axis of x is padded for the "channels as batch" convolution that yields dW. */
export interface FilterGradAxisPlan {
  padBefore: number;
  padAfter: number;
  /** Rows the convolution yields (≥ k); the first k are dW. */
  outSize: number;
}

/**
 * Plans dW along one axis: dW[i] = Σ_o xp[o·s + i] · dy[o], a convolution of the padded x with dy as the filter
 * at dilation s. The padding after is raised when the last window reaches past it (dimRoundingMode 'ceil'),
 * which reads zeros as the forward pass does.
 */
export function filterGradAxisPlan({ n, m, k, s, before, after }: ConvAxis): FilterGradAxisPlan {
  const span = (m - 1) * s; // distance between the first and the last window start
  const padAfter = Math.max(after, span + k - n - before);
  return { padBefore: before, padAfter, outSize: n + before + padAfter - span };
}

/** One phase of the polyphase dX plan: the output rows h ≡ r (mod s). */
export interface InputGradPhase {
  /** Kernel indices of the sub-filter, in the order the stride-1 correlation applies them; empty: all zeros. */
  taps: number[];
  padBefore: number;
  padAfter: number;
}

/** The polyphase dX plan along one axis: `s` stride-1 convolutions, each yielding n / s rows of dX. */
export interface PolyphaseAxisPlan {
  /** Rows each phase yields (n / s). */
  rows: number;
  /** Indexed by the phase r = h mod s. */
  phases: InputGradPhase[];
}

/**
 * Plans dX along one axis as `s` phases (sub-pixel decomposition), which does stride × fewer multiplications
 * than convolving the zero-dilated dy. Output row h = u·s + r only meets kernel taps i ≡ r + p (mod s):
 * dX[u·s + r] = Σ_t dy[u + c − t] · w[i0 + s·t] with i0 = (r + p) mod s and c = floor((r + p) / s), a
 * stride-1 correlation of dy with that sub-filter, reversed.
 *
 * Undefined when the phases would not tile dX exactly (n not a multiple of s) or would need negative padding
 * (explicit pads larger than the kernel); the zero-dilation plan handles those.
 */
export function polyphaseAxisPlan({ n, m, k, s, before }: ConvAxis): PolyphaseAxisPlan | undefined {
  if (n % s !== 0) return undefined;
  const rows = n / s;
  const phases: InputGradPhase[] = [];
  for (let r = 0; r < s; r += 1) {
    const first = (r + before) % s; // i0, the first tap this phase meets
    const shift = Math.floor((r + before) / s); // c
    const count = first < k ? Math.ceil((k - first) / s) : 0;
    if (count === 0) {
      phases.push({ taps: [], padBefore: 0, padAfter: 0 }); // e.g. the odd rows of a 1×1 stride-2 conv
      continue;
    }
    const taps = Array.from({ length: count }, (_, t) => first + s * (count - 1 - t));
    const padBefore = count - 1 - shift;
    const padAfter = rows + count - 1 - m - padBefore;
    if (padBefore < 0 || padAfter < 0) return undefined;
    phases.push({ taps, padBefore, padAfter });
  }
  return { rows, phases };
}
